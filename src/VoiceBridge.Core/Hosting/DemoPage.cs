using Microsoft.AspNetCore.Http;

namespace VoiceBridge.Hosting;

/// <summary>
/// The demo page <c>serve</c> shows at <c>/</c>: one self-contained HTML file (no build step, no
/// CDN, so it works on a machine with no internet) that calls the bridge over WHIP, plays the
/// agent, and draws the call's live feed: captions of both sides, the engine answering, each
/// failover as it happens, and an operator button that forces one.
/// </summary>
internal static class DemoPage
{
    public static Task WriteAsync(HttpContext ctx)
    {
        ctx.Response.ContentType = "text/html; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers["Content-Security-Policy"] = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; media-src 'self' blob:";
        return ctx.Response.WriteAsync(Html, ctx.RequestAborted);
    }

    private const string Html = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>VoiceBridge</title>
<style>
  body { font: 16px system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; color: #1d2330; }
  h1 { font-size: 1.4rem; }
  button { font-size: 1rem; padding: .5rem 1.2rem; margin-right: .5rem; }
  #status { margin: 1rem 0; }
  #engine { font-weight: bold; }
  #captions { border: 1px solid #ccd; border-radius: 6px; padding: .5rem 1rem; min-height: 12rem; }
  .caption { margin: .4rem 0; }
  .caller::before { content: "You: "; font-weight: bold; }
  .agent::before { content: "Agent: "; font-weight: bold; color: #2556a8; }
  .engine-tag { color: #777; font-size: .8rem; margin-left: .4rem; }
  .switch { margin: .6rem 0; padding: .3rem .6rem; background: #fff3cd; border-left: 4px solid #e0a800; }
  label { font-size: .9rem; color: #555; }
</style>
</head>
<body>
<h1>VoiceBridge</h1>
<p>Talk to the agent from this page. If its engine fails, another takes over mid-call: watch the captions.</p>
<div>
  <button id="call">Call</button>
  <button id="hangup" disabled>Hang up</button>
  <button id="drill" disabled>Force failover</button>
  <label>Token <input id="token" type="password" size="14" placeholder="(none)"></label>
</div>
<div id="status">Idle.</div>
<div>Engine answering: <span id="engine">-</span></div>
<div>Agent audio received: <span id="stats">-</span></div>
<div id="captions"></div>
<audio id="agent" autoplay></audio>
<script>
"use strict";
const $ = id => document.getElementById(id);
let pc = null, location_ = null, callId = null, events = null, statsTimer = null;
const captions = new Map();
const ssrcs = new Set();

function status(text) { $("status").textContent = text; }
function headers(extra) {
  const h = Object.assign({}, extra || {});
  const token = $("token").value.trim();
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}

function caption(e) {
  const key = e.role + ":" + (e.itemId || e.atMs);
  let div = captions.get(key);
  if (!div) {
    div = document.createElement("div");
    div.className = "caption " + e.role;
    div.dataset.role = e.role;
    div.append(document.createElement("span"), document.createElement("span"));
    div.lastChild.className = "engine-tag";
    captions.set(key, div);
    $("captions").append(div);
  }
  div.firstChild.textContent = e.text;
  div.lastChild.textContent = e.engine ? "(" + e.engine + ")" : "";
  if (e.final) div.dataset.final = "true";
}

function onSwitch(e) {
  let div = document.querySelector('.switch[data-at="' + e.atMs + '"]');
  if (e.handoffMs !== undefined) {
    div = [...document.querySelectorAll(".switch")].reverse().find(d => d.dataset.to === e.to && !d.dataset.handoff);
  }
  if (!div) {
    div = document.createElement("div");
    div.className = "switch";
    div.dataset.at = e.atMs;
    div.dataset.to = e.to;
    $("captions").append(div);
  }
  div.textContent = "Failover: " + e.from + " \u2192 " + e.to + " (" + e.reason + ")" +
    (e.handoffMs !== undefined ? ", caller heard the new engine after " + e.handoffMs + " ms" : "");
  if (e.handoffMs !== undefined) div.dataset.handoff = e.handoffMs;
  $("engine").textContent = e.to;
}

function watch(id, attempt) {
  events = new EventSource("/calls/" + encodeURIComponent(id) + "/events");
  events.addEventListener("caption", m => caption(JSON.parse(m.data)));
  events.addEventListener("engine", m => { $("engine").textContent = JSON.parse(m.data).engine; });
  events.addEventListener("switch", m => onSwitch(JSON.parse(m.data)));
  events.addEventListener("ended", () => { events.close(); events = null; status("Call ended."); });
  events.onerror = () => {
    // The call is registered once media is up: until then the feed is 404; try again shortly.
    if (events) { events.close(); events = null; }
    if (pc && attempt < 20) setTimeout(() => watch(id, attempt + 1), 500);
  };
}

// The browser's own count of the agent's audio packets, and every SSRC they came on (a failover keeps one).
async function sampleStats() {
  if (!pc) return;
  (await pc.getStats()).forEach(s => {
    if (s.type !== "inbound-rtp" || s.kind !== "audio") return;
    ssrcs.add(s.ssrc);
    const el = $("stats");
    el.dataset.packets = s.packetsReceived;
    el.dataset.ssrcs = [...ssrcs].join(",");
    el.textContent = s.packetsReceived + " packets, SSRC " + el.dataset.ssrcs;
  });
}

async function call() {
  $("call").disabled = true;
  status("Asking for the microphone\u2026");
  try {
    const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
    pc = new RTCPeerConnection();
    mic.getTracks().forEach(t => pc.addTrack(t, mic));
    pc.ontrack = e => { $("agent").srcObject = e.streams[0] || new MediaStream([e.track]); };
    pc.onconnectionstatechange = () => {
      status("Call " + pc.connectionState + ".");
      if (pc.connectionState === "connected" && callId && !events) watch(callId, 0);
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise(resolve => {
      if (pc.iceGatheringState === "complete") return resolve();
      pc.addEventListener("icegatheringstatechange", () => { if (pc.iceGatheringState === "complete") resolve(); });
      setTimeout(resolve, 2000);
    });
    status("Calling\u2026");
    const response = await fetch("/whip", { method: "POST", headers: headers({ "Content-Type": "application/sdp" }), body: pc.localDescription.sdp });
    if (response.status !== 201) throw new Error("WHIP " + response.status + ": " + (await response.text()));
    location_ = response.headers.get("Location");
    callId = decodeURIComponent(location_.split("/").pop());
    document.body.dataset.callId = callId;
    await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
    $("hangup").disabled = false;
    $("drill").disabled = false;
    statsTimer = setInterval(sampleStats, 1000);
  } catch (err) {
    status("Call failed: " + err.message);
    await hangup();
  }
}

async function hangup() {
  $("hangup").disabled = true;
  $("drill").disabled = true;
  if (location_) {
    await fetch(location_, { method: "DELETE", headers: headers() }).catch(() => {});
  }
  clearInterval(statsTimer);
  if (pc) { pc.getSenders().forEach(s => s.track && s.track.stop()); pc.close(); }
  pc = null; location_ = null;
  $("call").disabled = false;
}

async function drill() {
  if (!callId) return;
  const response = await fetch("/calls/" + encodeURIComponent(callId) + "/drill", { method: "POST", headers: headers() });
  if (response.status !== 202) status("Drill refused: " + response.status + " " + (await response.text()));
}

$("call").onclick = call;
$("hangup").onclick = hangup;
$("drill").onclick = drill;
</script>
</body>
</html>
""";
}
