// Interoperability with the npm `ws` package: argv = port, api key. Opens a
// session with the Authorization header, pings, runs a stepped echo task and
// expects its progress and result. Exit 0 on success, 1 with a reason.
const WebSocket = require('ws');
const [port, key] = process.argv.slice(2);
const ws = new WebSocket(`ws://127.0.0.1:${port}/v3/ws`, {
  headers: { Authorization: `Bearer ${key}` },
});
const seen = [];
const fail = (why) => { console.error(why, JSON.stringify(seen)); process.exit(1); };
setTimeout(() => fail('timed out'), 15000);
ws.on('error', (e) => fail('error: ' + e.message));
ws.on('message', (data, isBinary) => {
  if (isBinary) fail('binary message');
  const m = JSON.parse(data.toString());
  seen.push(m.type);
  if (m.type === 'welcome') ws.send(JSON.stringify({ type: 'ping', id: 'n1' }));
  else if (m.type === 'pong') {
    if (m.id !== 'n1') fail('pong id');
    ws.send(JSON.stringify({ type: 'task', id: 't', task: { type: 'echo', payload: { steps: 2, step_ms: 1 } } }));
  } else if (m.type === 'result') {
    const progress = seen.filter((t) => t === 'progress').length;
    if (progress !== 2) fail('progress count ' + progress);
    ws.close(1000);
    ws.on('close', (code) => process.exit(code === 1000 ? 0 : 1));
  } else if (m.type !== 'progress') fail('unexpected ' + m.type);
});
