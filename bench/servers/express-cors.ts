import cors from 'cors';
import express from 'express';
import { ALLOWED_ORIGINS, ALLOW_CREDENTIALS, MAX_AGE_SECONDS } from './shared/cors-policy';
import { greet, parseGreetRequest } from './shared/greeting';
import { HOST, portFromEnv } from './shared/listen-address';

/** Reference: Express 5 with the `cors` middleware, the textbook setup. */
const app = express();

app.use(
  cors({ origin: [...ALLOWED_ORIGINS], credentials: ALLOW_CREDENTIALS, maxAge: MAX_AGE_SECONDS }),
);
app.use(express.json({ limit: '1mb' }));

app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

app.post('/greet', (req, res) => {
  const parsed = parseGreetRequest(req.body);
  if (!parsed.ok) {
    res.status(400).json({ statusCode: 400, error: parsed.error });
    return;
  }
  res.json(greet(parsed.request));
});

app.listen(portFromEnv(), HOST, (error?: Error) => {
  if (error) throw error;
});
