import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { replaceCorsHeaders, setCorsHeaders } from './cors-headers';

function response(headers: Record<string, string> = {}): ServerResponse {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  return res;
}

describe('setCorsHeaders', () => {
  it("adds its Vary tokens to an earlier middleware's, once each", () => {
    const res = response({ Vary: 'Accept-Language, origin' });
    setCorsHeaders(res, [
      ['Access-Control-Allow-Origin', 'https://a.example.com'],
      ['Vary', 'Origin, Access-Control-Request-Method'],
    ]);
    expect(res.getHeader('vary')).toBe('Accept-Language, origin, Access-Control-Request-Method');
    expect(res.getHeader('access-control-allow-origin')).toBe('https://a.example.com');
  });

  it('sets Vary as it is when there is none', () => {
    const res = response();
    setCorsHeaders(res, [['Vary', 'Origin']]);
    expect(res.getHeader('vary')).toBe('Origin');
  });
});

describe('replaceCorsHeaders', () => {
  it("removes the old decision's lines and CORS Vary tokens, keeping the app's", () => {
    const res = response({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'X-Id',
      Vary: 'Accept-Language, Origin',
      'Cache-Control': 'no-store',
    });
    replaceCorsHeaders(res, [['Vary', 'Origin']]);
    expect(res.getHeaders()).toEqual({
      vary: 'Accept-Language, Origin',
      'cache-control': 'no-store',
    });
    const bare = response({ 'Access-Control-Allow-Origin': '*', Vary: 'Origin' });
    replaceCorsHeaders(bare, []);
    expect(bare.getHeaders()).toEqual({});
  });
});
