//! The two pages of a live exercise, self-contained (inline CSS, script and
//! SVG; nothing is fetched from elsewhere, so they work with no internet):
//!
//! * the trainee page (`/`): join with a name, read the case notes, tap a
//!   level; made for a small phone screen. It keeps its token and name in
//!   the browser, and joins again by itself after a server restart.
//! * the trainer page (`/trainer?token=...`): for a projector; the case
//!   notes large, the live count of answers, the spread of answers once
//!   answers are closed, the reveal with its reasons, next / previous / end
//!   with the cohort summary, and the QR code of the trainees' address.
//!
//! Every text from the server is put into the page with `textContent`, never
//! as markup, so a trainee's name or a rule label cannot inject anything.

use crate::report::html::escape;

const COMMON_CSS: &str = r##"
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0;color:#1b1b1b;background:#fafafa;line-height:1.4}
header{background:#0b3d6e;color:#fff;padding:.6rem 1rem}
header h1{font-size:1.1rem;margin:0}
header .sub{font-size:.9rem;opacity:.85}
main{padding:1rem;max-width:70rem;margin:0 auto}
.hidden{display:none !important}
.card{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:1rem;margin:.8rem 0}
.facts{margin:0;padding:0;list-style:none}
.facts li{padding:.15rem 0}
.facts b{font-weight:600}
.domain{font-weight:600;margin:.6rem 0 .2rem}
.concerns{margin:.2rem 0 .4rem 1.2rem;padding:0}
.msg{color:#a11;font-weight:600;min-height:1.2rem}
.ok{color:#0a5d2c;font-weight:600}
button{font:inherit;cursor:pointer;border-radius:.4rem;border:1px solid #0b3d6e;background:#fff;color:#0b3d6e;padding:.6rem 1rem}
button.primary{background:#0b3d6e;color:#fff}
button:disabled{opacity:.45;cursor:default}
.reveal{border-left:6px solid #0072b2;background:#f1f7fc}
.reveal h2{margin:.2rem 0 .5rem}
"##;

const TRAINEE_HTML: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>Threshold exercise</title>
<style>{{CSS}}
.levels{display:flex;flex-direction:column;gap:.5rem;margin-top:.6rem}
.levels button{text-align:left;width:100%;padding:.9rem 1rem;font-size:1.05rem}
.levels button.chosen{background:#0b3d6e;color:#fff;font-weight:600}
input[type=text]{font:inherit;width:100%;padding:.7rem;border:1px solid #999;border-radius:.4rem;margin:.4rem 0}
#join button{width:100%;margin-top:.3rem}
</style></head>
<body>
<header><h1 id="title">Threshold exercise</h1><div class="sub" id="sub"></div></header>
<main>
<section id="join" class="card">
  <h2>Join the exercise</h2>
  <p>Your name is shown only to the trainer and kept with your answers.</p>
  <form id="joinform"><label for="name">Your name</label>
  <input type="text" id="name" maxlength="60" autocomplete="name" required="required"/>
  <button class="primary" type="submit">Join</button></form>
  <p class="msg" id="joinmsg"></p>
</section>
<section id="room" class="hidden">
  <p class="sub" id="who"></p>
  <div class="card hidden" id="ended"><p>The exercise has ended. Thank you for taking part.</p></div>
  <div class="card" id="case">
    <h2 id="casetitle"></h2>
    <ul class="facts" id="facts"></ul>
    <div id="concerns"></div>
  </div>
  <div class="card" id="answer">
    <div id="prompt"><b>What level of need is this?</b> Tap one; you can change it until the trainer closes answers.</div>
    <div class="levels" id="levels"></div>
    <p id="status"></p>
    <p class="msg" id="msg"></p>
  </div>
  <div class="card reveal hidden" id="reveal">
    <h2 id="rlevel"></h2>
    <p id="rmine"></p>
    <p id="rsummary"></p>
  </div>
</main>
<script>
"use strict";
const $ = id => document.getElementById(id);
let token = localStorage.getItem("thr_token") || "";
let name = localStorage.getItem("thr_name") || "";
let state = null, busy = false;
function show(id, on) { $(id).classList.toggle("hidden", !on); }
async function post(path, body) {
  try {
    const r = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    let j = {}; try { j = await r.json(); } catch (e) {}
    return {status: r.status, body: j};
  } catch (e) { return {status: 0, body: {error: "The exercise cannot be reached. Check your connection."}}; }
}
async function join(n) {
  const r = await post("/api/join", {name: n});
  if (r.status === 200) {
    token = r.body.trainee; name = r.body.name;
    localStorage.setItem("thr_token", token); localStorage.setItem("thr_name", name);
    $("joinmsg").textContent = "";
    show("join", false); show("room", true);
    await poll();
  } else {
    token = ""; localStorage.removeItem("thr_token");
    $("joinmsg").textContent = r.body.error || "Could not join.";
    show("join", true); show("room", false);
  }
}
$("joinform").addEventListener("submit", e => { e.preventDefault(); join($("name").value); });
function notes(s) {
  const v = s.vignette || {facts: [], concerns: [], id: ""};
  $("casetitle").textContent = "Case " + (s.index + 1) + " of " + s.total;
  const f = $("facts"); f.textContent = "";
  for (const x of v.facts) {
    const li = document.createElement("li"); const b = document.createElement("b");
    b.textContent = x.label + ": "; li.appendChild(b); li.appendChild(document.createTextNode(x.value)); f.appendChild(li);
  }
  const c = $("concerns"); c.textContent = "";
  if (!v.concerns.length) { const p = document.createElement("p"); p.textContent = "No concerns are recorded."; c.appendChild(p); }
  for (const d of v.concerns) {
    const h = document.createElement("div"); h.className = "domain"; h.textContent = d.domain; c.appendChild(h);
    const ul = document.createElement("ul"); ul.className = "concerns";
    for (const i of d.items) { const li = document.createElement("li"); li.textContent = i; ul.appendChild(li); }
    c.appendChild(ul);
  }
}
function levels(s) {
  const box = $("levels"); box.textContent = "";
  s.levels.forEach((l, i) => {
    const b = document.createElement("button"); b.type = "button";
    b.textContent = l.label; b.dataset.level = l.id;
    if (s.your_answer === l.id) b.className = "chosen";
    b.disabled = s.closed || s.ended;
    b.addEventListener("click", () => answer(l.id));
    box.appendChild(b);
  });
}
function labelOf(s, id) { const l = s.levels.find(x => x.id === id); return l ? l.label : id; }
function render(s) {
  state = s;
  $("title").textContent = s.exercise;
  $("sub").textContent = s.phase ? "Round: " + s.phase : "";
  $("who").textContent = "You are " + (s.you || name);
  show("ended", s.ended); show("case", !s.ended); show("answer", !s.ended);
  if (s.ended) { show("reveal", false); return; }
  notes(s); levels(s);
  const mine = s.your_answer;
  $("status").textContent = mine ? "Your answer: " + labelOf(s, mine) + (s.closed ? "" : " (you can still change it)") : (s.closed ? "" : "No answer yet.");
  $("prompt").classList.toggle("hidden", s.closed);
  if (s.closed && !s.revealed) $("msg").textContent = "Answers are closed. Look at the screen.";
  else if (!s.closed) $("msg").textContent = "";
  show("reveal", !!s.revealed);
  if (s.revealed) {
    $("msg").textContent = "";
    $("rlevel").textContent = "The guidance says: " + s.level_label;
    $("rmine").textContent = s.your_answer_matches === undefined ? "" : (s.your_answer_matches ? "Your answer matches the guidance." : "Your answer was " + labelOf(s, mine) + ".");
    $("rsummary").textContent = s.debrief;
  }
}
async function answer(level) {
  if (!state || busy) return;
  busy = true;
  const r = await post("/api/answer", {trainee: token, vignette: state.vignette.id, level: level});
  busy = false;
  if (r.status === 401 && name) { await join(name); return; }
  $("msg").textContent = r.status === 200 ? "" : (r.body.error || "The answer was not saved.");
  await poll();
}
async function poll() {
  try {
    const r = await fetch("/api/state?trainee=" + encodeURIComponent(token), {cache: "no-store"});
    if (!r.ok) return;
    const s = await r.json();
    // The server was restarted and no longer knows this browser: join again.
    if (token && !s.you && name) { await join(name); return; }
    render(s);
  } catch (e) { $("msg").textContent = "Reconnecting..."; }
}
if (token) { show("join", false); show("room", true); poll(); } else { $("name").value = name; }
setInterval(() => { if (token) poll(); }, 1500);
</script>
</body></html>
"##;

const TRAINER_HTML: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>Threshold exercise: trainer</title>
<style>{{CSS}}
body{font-size:1.35rem}
header h1{font-size:1.6rem}
main{max-width:none;display:grid;grid-template-columns:minmax(0,1fr) 17rem;gap:1.2rem}
#side .card{text-align:center}
#qr svg{width:100%;height:auto}
#url{font-size:1.05rem;word-break:break-all;font-weight:600}
.big{font-size:1.6rem}
#count{font-size:2.6rem;font-weight:700;color:#0b3d6e}
.controls{display:flex;flex-wrap:wrap;gap:.6rem;margin:.6rem 0}
.controls button{font-size:1.2rem}
#chart svg{width:100%;height:auto}
table{border-collapse:collapse;font-size:1.05rem;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
td.num{text-align:right}
@media (max-width:50rem){main{grid-template-columns:1fr}}
</style></head>
<body>
<header><h1 id="title">Threshold exercise</h1><div class="sub" id="sub"></div></header>
<main>
<div id="left">
  <p class="msg" id="msg"></p>
  <div class="card big" id="case"><h2 id="casetitle"></h2><ul class="facts" id="facts"></ul><div id="concerns"></div></div>
  <div class="controls">
    <button id="prev" type="button">&#8592; Previous</button>
    <button id="close" type="button">Close answers</button>
    <button id="reveal" type="button" class="primary">Reveal the guidance</button>
    <button id="next" type="button" class="primary">Next &#8594;</button>
    <button id="end" type="button">End the exercise</button>
  </div>
  <div class="card hidden" id="chart"><h2>How the room answered</h2><div id="bars"></div></div>
  <div class="card reveal hidden" id="answerbox">
    <h2 id="rlevel"></h2>
    <div id="rwhy"></div>
  </div>
  <div class="card hidden" id="summary"><h2>Cohort summary</h2><div id="sumbody"></div></div>
</div>
<div id="side">
  <div class="card"><div>Answers to this case</div><div id="count">0</div><div id="joined"></div></div>
  <div class="card"><div>Join on your phone</div><div id="qr">{{QR}}</div><div id="url">{{URL}}</div></div>
</div>
</main>
<script>
"use strict";
const $ = id => document.getElementById(id);
const token = new URLSearchParams(location.search).get("token") || "";
let state = null, shownSummary = false;
function show(id, on) { $(id).classList.toggle("hidden", !on); }
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
async function act(what) {
  try {
    const r = await fetch("/api/trainer/" + what, {method: "POST", headers: {"Authorization": "Bearer " + token}});
    let j = {}; try { j = await r.json(); } catch (e) {}
    if (r.status === 200) { $("msg").textContent = ""; render(j); }
    else $("msg").textContent = j.error || ("Refused (" + r.status + ")");
  } catch (e) { $("msg").textContent = "The server cannot be reached."; }
}
for (const k of ["prev", "close", "reveal", "next", "end"]) $(k).addEventListener("click", () => act(k === "prev" ? "previous" : k));
function notes(s) {
  const v = s.vignette || {facts: [], concerns: []};
  $("casetitle").textContent = "Case " + (s.index + 1) + " of " + s.total;
  const f = $("facts"); f.textContent = "";
  for (const x of v.facts) { const li = el("li"); li.appendChild(el("b", x.label + ": ")); li.appendChild(document.createTextNode(x.value)); f.appendChild(li); }
  const c = $("concerns"); c.textContent = "";
  if (!v.concerns.length) c.appendChild(el("p", "No concerns are recorded."));
  for (const d of v.concerns) {
    c.appendChild(el("div", d.domain, "domain"));
    const ul = el("ul", undefined, "concerns");
    for (const i of d.items) ul.appendChild(el("li", i));
    c.appendChild(ul);
  }
}
const NS = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); if (text !== undefined) e.textContent = text; return e; }
function chart(s) {
  const rows = s.spread || [];
  const max = Math.max(1, ...rows.map(r => r.count));
  const total = rows.reduce((a, r) => a + r.count, 0);
  const W = 900, left = 330, rowH = 54, top = 10, H = top + rows.length * rowH + 46;
  const g = svg("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Answers per level"});
  const plotW = W - left - 70;
  // Axis: a vertical line at zero and ticks along the bottom.
  const ticks = Math.min(max, 5);
  for (let t = 0; t <= ticks; t++) {
    const v = Math.round(max * t / ticks), x = left + plotW * v / max;
    g.appendChild(svg("line", {x1: x, x2: x, y1: top, y2: H - 36, stroke: "#ddd"}));
    g.appendChild(svg("text", {x: x, y: H - 18, "text-anchor": "middle", "font-size": 18, fill: "#555"}, String(v)));
  }
  g.appendChild(svg("text", {x: left + plotW / 2, y: H - 1, "text-anchor": "middle", "font-size": 18, fill: "#333"}, "Trainees (" + total + " answered)"));
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const right = s.revealed && r.id === s.level;
    g.appendChild(svg("text", {x: left - 10, y: y + rowH / 2 + 7, "text-anchor": "end", "font-size": 20, fill: "#222", "font-weight": right ? "700" : "400"}, r.label));
    const w = plotW * r.count / max;
    g.appendChild(svg("rect", {x: left, y: y + 8, width: Math.max(w, 1), height: rowH - 16, fill: right ? "#009e73" : "#0072b2"}));
    g.appendChild(svg("text", {x: left + w + 8, y: y + rowH / 2 + 7, "font-size": 20, fill: "#222"}, String(r.count)));
  });
  g.appendChild(svg("line", {x1: left, x2: left, y1: top, y2: H - 36, stroke: "#333"}));
  const b = $("bars"); b.textContent = ""; b.appendChild(g);
  if (s.revealed) b.appendChild(el("p", "Green: the level the guidance gives."));
}
function reveal(s) {
  $("rlevel").textContent = "The guidance says: " + s.level_label;
  const w = $("rwhy"); w.textContent = "";
  w.appendChild(el("p", "Why: " + (s.reasons || []).join("; ") + "."));
  for (const n of s.not_reached || []) {
    w.appendChild(el("p", n.side === "above" ? n.label + " was not reached because " + n.why + "." : n.label + " would be too low because " + n.why + "."));
  }
}
function pct(x) { return x === null || x === undefined ? "–" : Math.round(100 * x) + "%"; }
function table(head, rows) {
  const t = el("table"); const tr = el("tr"); for (const h of head) tr.appendChild(el("th", h)); t.appendChild(tr);
  for (const r of rows) { const tr = el("tr"); r.forEach((c, i) => tr.appendChild(el("td", c, i ? "num" : ""))); t.appendChild(tr); }
  return t;
}
async function summary(s) {
  const r = await fetch("/api/trainer/summary", {headers: {"Authorization": "Bearer " + token}, cache: "no-store"});
  if (!r.ok) { $("msg").textContent = "The summary could not be read."; return; }
  const j = await r.json();
  const b = $("sumbody"); b.textContent = "";
  b.appendChild(el("p", j.n + " answers from " + j.trainees.length + " trainees" + (j.phase ? " in the " + j.phase + " round" : "") + "."));
  if (!s.reveal) { b.appendChild(el("p", "This is a pre-training round: the results are kept for the comparison after training.")); return; }
  b.appendChild(el("p", "Answers matching the guidance: " + pct(j.accuracy) + ". Agreement among trainees (Fleiss' kappa): " + (j.fleiss_kappa === null ? "–" : j.fleiss_kappa.toFixed(2)) + "."));
  const lab = id => { const l = s.levels.find(x => x.id === id); return l ? l.label : (id || "–"); };
  b.appendChild(table(["Case", "The guidance", "Answers matching", "Most common answer"], j.vignettes.map(v => [v.vignette, v.level_label, pct(v.share_correct), lab(v.modal)])));
  b.appendChild(table(["Trainee", "Answers", "Matching", "Share"], j.trainees.map(t => [t.trainee, String(t.n), String(t.correct), pct(t.accuracy)])));
}
function render(s) {
  const prev = state;
  state = s;
  $("title").textContent = s.exercise;
  $("sub").textContent = [s.phase ? "Round: " + s.phase : "", s.reveal ? "" : "Pre-training round: the guidance is not revealed"].filter(Boolean).join(" · ");
  notes(s);
  $("count").textContent = String(s.answers);
  $("joined").textContent = s.trainees + " in the room";
  $("prev").disabled = s.index === 0;
  $("next").disabled = s.index + 1 >= s.total;
  $("close").disabled = s.closed;
  show("reveal", s.reveal); $("reveal").disabled = s.revealed;
  show("chart", s.closed); if (s.closed) chart(s);
  const wasRevealed = prev && prev.revealed && prev.index === s.index;
  show("answerbox", !!s.revealed); if (s.revealed) reveal(s);
  if (s.revealed && !wasRevealed) $("answerbox").scrollIntoView({block: "nearest"});
  show("summary", s.ended);
  if (s.ended && !shownSummary) { shownSummary = true; summary(s); }
  if (!s.ended) shownSummary = false;
}
async function poll() {
  try { const r = await fetch("/api/state", {cache: "no-store"}); if (r.ok) render(await r.json()); } catch (e) { $("msg").textContent = "Reconnecting..."; }
}
if (!token) $("msg").textContent = "This page needs the trainer's address with its token (as printed when the server started).";
poll(); setInterval(poll, 1000);
</script>
</body></html>
"##;

/// The trainee page.
pub fn trainee() -> String {
    TRAINEE_HTML.replace("{{CSS}}", COMMON_CSS)
}

/// The trainer page, with the trainees' address and its QR code (SVG).
pub fn trainer(trainees_url: &str, qr_svg: &str) -> String {
    TRAINER_HTML
        .replace("{{CSS}}", COMMON_CSS)
        .replace("{{QR}}", qr_svg)
        .replace("{{URL}}", &escape(trainees_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_self_contained_and_escape_the_url() {
        for p in [trainee(), trainer("http://x/?a=<b>", "<svg></svg>")] {
            assert!(!p.contains("{{"), "a placeholder was left");
            assert!(!p.contains("src=\"http"), "an external asset");
            assert!(!p.contains("href=\"http"), "an external link");
            assert!(!p.contains("innerHTML"), "markup from data");
        }
        assert!(trainer("http://x/?a=<b>", "").contains("http://x/?a=&lt;b&gt;"));
    }
}
