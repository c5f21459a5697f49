// Preloaded with `node --require` by the bundled-entry spec: when the process exits, writes the
// files of every module it loaded through require (Node's require.cache) to RECORD_LOADS_TO.
const fs = require('node:fs');

process.on('exit', () => {
  fs.writeFileSync(process.env.RECORD_LOADS_TO, JSON.stringify(Object.keys(require.cache)));
});
