// keepNames makes esbuild wrap functions in `__name(fn, "name")`, including the arrow functions and
// function expressions a function creates each time it runs: `const onData = (chunk) => …` becomes
// `let onData=__name(chunk=>…,"onData")`, NestJS's switchToHttp() builds
// `{getRequest:__name(()=>…,"getRequest"), …}`. The wrapped function is anonymous, so every call
// redefines its `name` (Object.defineProperty on a fresh function): ~8 % of the CPU of an allowed
// POST in a profile (docs/performance.md "Function names in the bundle").
//
// Where the wrapped function is the whole initializer of a binding, an object property, a class
// field or an assignment to a name, and `name` is that binding's own name, JavaScript already
// gives the function that very name (NamedEvaluation, also through parentheses). There the call is
// unwrapped in place: `__name` and `,"name"` become spaces, the function stays in its parentheses,
// so every other character keeps its line and column (the source map stays right). Classes are
// left wrapped (they are created once, and NestJS reads their names).
import { parse } from 'acorn';

const PARSE_OPTIONS = { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true };

/** A function expression JavaScript would name after its binding (an anonymous one). */
function isAnonymousFunction(node) {
  return (
    (node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression') &&
    node.id === null
  );
}

/** `__name(<anonymous function>, "<name>")`, its function node, else undefined. */
function wrappedAs(node, name) {
  if (
    node?.type === 'CallExpression' &&
    node.callee.type === 'Identifier' &&
    node.callee.name === '__name' &&
    node.arguments.length === 2 &&
    isAnonymousFunction(node.arguments[0]) &&
    node.arguments[1].type === 'Literal' &&
    node.arguments[1].value === name
  ) {
    return node;
  }
  return undefined;
}

/** The name JavaScript gives an anonymous function in this key position (not computed). */
function keyName(node) {
  if (node.computed) return undefined;
  if (node.key.type === 'Identifier') return node.key.name;
  if (node.key.type === 'Literal' && typeof node.key.value === 'string') return node.key.value;
  return undefined;
}

/** The call this node initializes with, when unwrapping it keeps the function's name. */
function unwrappable(node) {
  switch (node.type) {
    case 'VariableDeclarator':
      return node.id.type === 'Identifier' ? wrappedAs(node.init, node.id.name) : undefined;
    case 'AssignmentExpression':
      return node.operator === '=' && node.left.type === 'Identifier'
        ? wrappedAs(node.right, node.left.name)
        : undefined;
    case 'Property':
      // `__proto__: value` sets the prototype instead of a property: left as it is.
      return node.kind === 'init' &&
        !node.method &&
        !node.shorthand &&
        keyName(node) !== '__proto__'
        ? wrappedAs(node.value, keyName(node))
        : undefined;
    case 'PropertyDefinition':
      return node.static || node.value === null ? undefined : wrappedAs(node.value, keyName(node));
    default:
      return undefined;
  }
}

function visit(node, found) {
  const call = unwrappable(node);
  if (call) found.push(call);
  for (const key in node) {
    const value = node[key];
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item.type === 'string') visit(item, found);
    } else if (typeof value.type === 'string') {
      visit(value, found);
    }
  }
}

/**
 * Unwraps every such `__name` call of a script. Returns the new text (same length, same line
 * breaks) and how many calls it unwrapped.
 */
export function unwrapInferredNames(code) {
  const ast = parse(code, PARSE_OPTIONS);
  const found = [];
  visit(ast, found);
  // `__name(` → `      (` and `,"name")` → `       )`: the function, parenthesized. A wrapped
  // function may hold others; their ranges lie inside its own and never overlap these.
  // The comma is the first after the function (which may have its own parentheses).
  const blanks = found
    .flatMap((call) => {
      const [fn, name] = call.arguments;
      const comma = code.indexOf(',', fn.end);
      if (comma === -1 || comma > name.start) throw new Error(`no comma at ${fn.end}`);
      return [
        [call.callee.start, call.callee.end],
        [comma, call.end - 1],
      ];
    })
    .sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [from, to] of blanks) {
    out += code.slice(at, from) + ' '.repeat(to - from);
    at = to;
  }
  out += code.slice(at);
  // Still a script (a slip here would otherwise surface only when the service starts).
  parse(out, PARSE_OPTIONS);
  return { code: out, unwrapped: found.length };
}
