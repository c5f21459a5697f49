import request from 'supertest';
import { postChunked } from './helpers/raw-http';
import { startTestApp, TestApp } from './helpers/test-app';

const TOO_LARGE = { statusCode: 413, error: 'Payload too large' };

/** A valid greet body padded with an ignored field to exactly `size` bytes. */
function paddedBody(size: number): string {
  const shell = JSON.stringify({ name: 'Alice', pad: '' });
  return JSON.stringify({ name: 'Alice', pad: 'x'.repeat(size - shell.length) });
}

describe('body size limit (e2e)', () => {
  describe('default 1mb', () => {
    let server: TestApp;
    beforeAll(async () => {
      server = await startTestApp();
    });
    afterAll(() => server.close());

    it('accepts a body of exactly 1 MiB', async () => {
      const body = paddedBody(1024 * 1024);
      expect(Buffer.byteLength(body)).toBe(1024 * 1024);
      const res = await request(server.url)
        .post('/greet')
        .set('Content-Type', 'application/json')
        .send(body);
      expect(res.status).toBe(200);
    });

    it('refuses a body one byte over with a JSON 413 (Content-Length)', async () => {
      const res = await request(server.url)
        .post('/greet')
        .set('Content-Type', 'application/json')
        .send(paddedBody(1024 * 1024 + 1));
      expect(res.status).toBe(413);
      expect(res.body).toEqual(TOO_LARGE);
    });

    it('refuses an oversized chunked body with a JSON 413, then keeps serving', async () => {
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const chunks = [Buffer.from('{"name":"Alice","pad":"'), ...Array(20).fill(chunk)];
      const res = await postChunked(server.url, '/greet', chunks);
      expect(res.headers['content-length']).toBeDefined();
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toEqual(TOO_LARGE);

      const after = await request(server.url).post('/greet').send({ name: 'Alice', lang: 'es' });
      expect(after.status).toBe(200);
      expect(after.body.greeting).toBe('Hola, Alice!');
    });

    it('accepts a chunked body under the limit', async () => {
      const body = JSON.stringify({ name: 'Alice', lang: 'fr' });
      const res = await postChunked(server.url, '/greet', [
        Buffer.from(body.slice(0, 5)),
        Buffer.from(body.slice(5)),
      ]);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).greeting).toBe('Bonjour, Alice!');
    });
  });

  describe('BODY_LIMIT=512 (a byte count)', () => {
    let server: TestApp;
    beforeAll(async () => {
      server = await startTestApp({ BODY_LIMIT: '512' });
    });
    afterAll(() => server.close());

    it('accepts 512 bytes and refuses 513', async () => {
      const ok = await request(server.url)
        .post('/greet')
        .set('Content-Type', 'application/json')
        .send(paddedBody(512));
      expect(ok.status).toBe(200);
      const tooLarge = await request(server.url)
        .post('/greet')
        .set('Content-Type', 'application/json')
        .send(paddedBody(513));
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body).toEqual(TOO_LARGE);
    });
  });
});
