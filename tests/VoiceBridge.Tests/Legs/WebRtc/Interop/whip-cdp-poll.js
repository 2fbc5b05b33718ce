// usage: node --experimental-websocket whip-cdp-poll.js <devtools port> [seconds to wait for the result, default 30]
// Waits for Chromium's page, then polls #out until the page script has written its result, and prints it.
const port = process.argv[2];
const polls = Math.round((Number(process.argv[3]) || 30) * 5);
const sleep = ms => new Promise(r => setTimeout(r, ms));
(async () => {
  let page;
  for (let i = 0; i < 100 && !page; i++) {
    try { page = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()).find(t => t.type === 'page'); } catch (e) { }
    if (!page) await sleep(200);
  }
  if (!page) { console.log('NO-PAGE'); process.exit(2); }
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  let id = 0; const pending = new Map();
  ws.onmessage = ev => { const m = JSON.parse(ev.data); if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); } };
  await new Promise(r => ws.onopen = r);
  const send = (method, params) => new Promise(r => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
  for (let i = 0; i < polls; i++) {
    const res = await send('Runtime.evaluate', { expression: "document.getElementById('out') ? document.getElementById('out').textContent : 'pending'", returnByValue: true });
    const v = res.result && res.result.result && res.result.result.value;
    if (v && v !== 'pending') { console.log('RESULT ' + v); ws.close(); return; }
    await sleep(200);
  }
  console.log('TIMEOUT'); ws.close(); process.exit(3);
})();
