/**
 * Slack's Socket Mode side, enough for Bolt's SocketModeClient: `apps.connections.open` (app-level
 * token) hands out a ws:// URL on the simulator's port; the WebSocket (RFC 6455, written here on
 * node:http's upgrade so no extra package is needed) sends `hello`, answers pings, delivers
 * envelopes and collects their acks (`{ envelope_id, payload }`), timing each one. A re-delivery is
 * a new envelope around the same payload with `retry_attempt` and `retry_reason` set, as Slack sends it.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface EnvelopeAck {
  envelopeId: string;
  payload: Record<string, unknown> | undefined;
  ackMs: number;
}

export class SocketModeServer {
  private readonly sockets = new Set<Duplex>();
  private readonly waiting = new Map<string, { started: number; resolve: (ack: EnvelopeAck) => void }>();
  private connected: (() => void) | undefined;
  private readonly connectedOnce: Promise<void>;
  readonly acks: EnvelopeAck[] = [];

  constructor(server: Server, private readonly path = '/socket') {
    this.connectedOnce = new Promise((resolve) => {
      this.connected = resolve;
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => this.upgrade(req, socket));
  }

  url(baseUrl: string): string {
    return `${baseUrl.replace(/^http/, 'ws')}${this.path}?ticket=${randomUUID()}`;
  }

  /** Resolves once a client completed the handshake and got `hello`. */
  whenConnected(): Promise<void> {
    return this.connectedOnce;
  }

  /** Delivers an envelope (`slash_commands`, `interactive`, `events_api`) and resolves with its ack; `retry` makes it a re-delivery. */
  deliver(type: string, payload: Record<string, unknown>, retry?: { attempt: number; reason: string }): Promise<EnvelopeAck> {
    const envelopeId = randomUUID();
    const promise = new Promise<EnvelopeAck>((resolve) => this.waiting.set(envelopeId, { started: performance.now(), resolve }));
    const message = {
      envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api',
      retry_attempt: retry?.attempt ?? 0, retry_reason: retry?.reason ?? '',
    };
    for (const socket of this.sockets) socket.write(frame(0x1, Buffer.from(JSON.stringify(message))));
    return promise;
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private upgrade(req: IncomingMessage, socket: Duplex): void {
    const key = req.headers['sec-websocket-key'];
    if (!req.url?.startsWith(this.path) || typeof key !== 'string') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => this.sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let parsed = parseFrame(buffer); parsed; parsed = parseFrame(buffer)) {
        buffer = buffer.subarray(parsed.length);
        this.onFrame(socket, parsed.opcode, parsed.payload);
      }
    });
    socket.write(frame(0x1, Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'ASIM' }, debug_info: { host: 'simulator' } }))));
    this.connected?.();
  }

  private onFrame(socket: Duplex, opcode: number, payload: Buffer): void {
    if (opcode === 0x9) socket.write(frame(0xa, payload));
    else if (opcode === 0x8) socket.end(frame(0x8, payload.subarray(0, 2)));
    else if (opcode === 0x1) {
      const message = JSON.parse(payload.toString('utf8')) as { envelope_id?: string; payload?: Record<string, unknown> };
      const waiter = message.envelope_id ? this.waiting.get(message.envelope_id) : undefined;
      if (!waiter || !message.envelope_id) return;
      this.waiting.delete(message.envelope_id);
      const ack = { envelopeId: message.envelope_id, payload: message.payload, ackMs: performance.now() - waiter.started };
      this.acks.push(ack);
      waiter.resolve(ack);
    }
  }
}

/** A server frame: FIN set, never masked. */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? Buffer.from([0x80 | opcode, length])
    : length < 65536 ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
      : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)]);
  return Buffer.concat([head, payload]);
}

function bigLength(length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(length));
  return b;
}

/** A client frame (always masked); null until the buffer holds a whole frame. Fragmentation is not used by the client. */
function parseFrame(buffer: Buffer): { opcode: number; payload: Buffer; length: number } | null {
  if (buffer.length < 2) return null;
  const opcode = buffer[0]! & 0x0f;
  const masked = (buffer[1]! & 0x80) !== 0;
  let length = buffer[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const maskLength = masked ? 4 : 0;
  if (buffer.length < offset + maskLength + length) return null;
  const mask = buffer.subarray(offset, offset + maskLength);
  const payload = Buffer.from(buffer.subarray(offset + maskLength, offset + maskLength + length));
  if (masked) for (let i = 0; i < payload.length; i += 1) payload[i] = payload[i]! ^ mask[i % 4]!;
  return { opcode, payload, length: offset + maskLength + length };
}
