'use strict';
// A promise-based WebSocket peer on the `ws` package, standing in for an
// independent claudemesh client. Incoming frames are kept in arrival order;
// `next(predicate, timeoutMs)` takes the first buffered or future frame the
// predicate accepts (selective receive: frames it skips stay buffered for
// later calls), and fails at the deadline or when the socket closes, with
// the frames seen so far in the message. No sleeps anywhere. Await (or
// attach .catch to) a pending next() before awaiting something else, or its
// rejection on close/deadline surfaces as an unhandled rejection.

const WebSocket = require('ws');

const DEFAULT_TIMEOUT_MS = 5000;

class WsPeer {
  /** Opens `url`; resolves once open, rejects on error or after timeoutMs. */
  static connect(url, { timeoutMs = DEFAULT_TIMEOUT_MS, wsOptions = {} } = {}) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, ...wsOptions });
      const peer = new WsPeer(ws);
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`WebSocket ${url} not open within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once('open', () => { clearTimeout(timer); resolve(peer); });
      ws.once('error', (err) => { clearTimeout(timer); reject(err); });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`WebSocket ${url}: HTTP ${res.statusCode} instead of 101`));
      });
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.frames = [];   // {json, text} not yet taken by next()
    this.seen = [];     // every frame text, for failure messages
    this.waiters = [];  // {predicate, resolve, reject, timer}
    this.closeInfo = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        for (const w of this.waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(new Error(`socket closed (${code} ${this.closeInfo.reason}) while waiting; ` +
            `frames seen: ${this.describeSeen()}`));
        }
        resolve(this.closeInfo);
      });
    });
    ws.on('error', () => {}); // surfaced as 'close' (1006) to the waiters
    ws.on('message', (data) => this.onFrame(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data).toString('utf8')));
  }

  onFrame(text) {
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    const frame = { json, text };
    this.seen.push(text);
    const i = this.waiters.findIndex((w) => matches(w.predicate, frame));
    if (i < 0) { this.frames.push(frame); return; }
    const [w] = this.waiters.splice(i, 1);
    clearTimeout(w.timer);
    w.resolve(json);
  }

  describeSeen() {
    return this.seen.length ? this.seen.join(' | ') : '(none)';
  }

  /** Sends an object as one JSON text frame (or a string as is). */
  send(frame) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * The next frame (parsed JSON) for which `predicate(json, text)` is true,
   * waiting at most timeoutMs. A string predicate matches `type`.
   */
  next(predicate = () => true, timeoutMs = DEFAULT_TIMEOUT_MS) {
    const i = this.frames.findIndex((f) => matches(predicate, f));
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0].json);
    if (this.closeInfo)
      return Promise.reject(new Error(`socket already closed (${this.closeInfo.code}); frames seen: ${this.describeSeen()}`));
    return new Promise((resolve, reject) => {
      const w = { predicate, resolve, reject, timer: null };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no matching frame within ${timeoutMs} ms; frames seen: ${this.describeSeen()}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Sends `frame` and waits for the reply matching `predicate`. */
  request(frame, predicate, timeoutMs = DEFAULT_TIMEOUT_MS) {
    const reply = this.next(predicate, timeoutMs);
    this.send(frame);
    return reply;
  }

  /** Resolves with {code, reason} once closed; rejects after timeoutMs. */
  waitClose(timeoutMs = DEFAULT_TIMEOUT_MS) {
    let timer;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.closed, deadline]).finally(() => clearTimeout(timer));
  }

  get isOpen() { return this.ws.readyState === WebSocket.OPEN; }

  /** Closes politely (1000) and waits for the close to complete. */
  async close(timeoutMs = DEFAULT_TIMEOUT_MS) {
    if (!this.closeInfo) this.ws.close(1000);
    try {
      return await this.waitClose(timeoutMs);
    } catch (err) {
      this.ws.terminate();
      throw err;
    }
  }
}

function matches(predicate, frame) {
  if (typeof predicate === 'string') return frame.json !== undefined && frame.json !== null && frame.json.type === predicate;
  try { return Boolean(predicate(frame.json, frame.text)); } catch { return false; }
}

module.exports = { WsPeer, DEFAULT_TIMEOUT_MS };
