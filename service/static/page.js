/* The journalists' page: builds requests from the form, shows answers and problems.
   Only this service is called; text from answers goes in with textContent, never as HTML. */
"use strict";

(function () {
  const KEY_STORE = "credibility.apiKey";
  const RELIABILITY = {
    A: "Completely reliable", B: "Usually reliable", C: "Fairly reliable",
    D: "Not usually reliable", E: "Unreliable",
    F: "Reliability cannot be judged: not enough to go on",
  };
  const CREDIBILITY = {
    1: "Confirmed by independent sources", 2: "Probably true", 3: "Possibly true",
    4: "Doubtful", 5: "Improbable", 6: "Truth cannot be judged: nothing to go on",
  };
  const LEVELS = ["pants-fire", "false", "barely-true", "half-true", "mostly-true", "true"];
  const BASIS = { learned: "learned from data", policy: "house policy", desk: "the desk's verdicts" };

  const $ = (id) => document.getElementById(id);
  let taxonomy = {};
  let shown = null; // the assessment on the page
  let shownClaim = ""; // the claim as sent for it
  let errorIds = 0;
  const sentRows = { relayed_by: [], evidence: [] }; // form rows behind the last request's lists

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function signed(value, digits) {
    const text = Math.abs(value).toFixed(digits);
    return (value >= 0 ? "+" : "\u2212") + text;
  }

  function words(name) {
    return String(name || "").replace(/_/g, " ");
  }

  // ---- calling the service ----

  async function call(method, path, body, headers) {
    const options = { method, headers: Object.assign({ Accept: "application/json" }, headers) };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (error) {
      return { ok: false, problem: { title: "The service cannot be reached",
        detail: "Check the connection and try again." } };
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (response.ok) return { ok: true, data };
    const problem = data && typeof data === "object" ? data : {};
    return { ok: false, problem: {
      title: problem.title || `${response.status} ${response.statusText}`,
      status: problem.status || response.status,
      detail: problem.detail || "The service refused the request.",
      errors: problem.errors || {},
    } };
  }

  // ---- problems: the summary box and the messages beside the fields ----

  function clearProblems(form, box) {
    box.hidden = true;
    box.replaceChildren();
    form.querySelectorAll(".field-error").forEach((node) => {
      node.hidden = true;
      node.textContent = "";
    });
    form.querySelectorAll("[aria-invalid]").forEach((node) => {
      node.removeAttribute("aria-invalid");
      const described = (node.getAttribute("aria-describedby") || "").split(" ")
        .filter((id) => id && !id.startsWith("error-for-"));
      if (described.length) node.setAttribute("aria-describedby", described.join(" "));
      else node.removeAttribute("aria-describedby");
    });
  }

  // The message slot and the control for a field path such as "context.relayed_by.1".
  function slotFor(form, path) {
    const row = path.match(/^context\.(relayed_by|evidence)\.(\d+)/);
    if (row) {
      const item = (sentRows[row[1]] || [])[Number(row[2])];
      if (item) return { message: item.querySelector(".field-error"), control: item.querySelector("input") };
    }
    let message = null;
    for (let probe = path; probe && !message; probe = probe.replace(/\.?[^.]*$/, "")) {
      message = form.querySelector(`.field-error[data-field="${CSS.escape(probe)}"]`);
      if (probe.indexOf(".") < 0) break;
    }
    if (!message) return null;
    const field = message.closest(".field");
    const control = field ? field.querySelector("input, select, textarea") : null;
    return { message, control };
  }

  function showProblem(form, box, problem) {
    clearProblems(form, box);
    box.append(el("strong", null, problem.title));
    box.append(el("p", null, problem.detail));
    const unplaced = el("ul");
    let first = null;
    Object.entries(problem.errors || {}).forEach(([path, messages]) => {
      const text = (Array.isArray(messages) ? messages : [messages]).join(" ");
      const slot = slotFor(form, path);
      if (!slot) {
        unplaced.append(el("li", null, `${path}: ${text}`));
        return;
      }
      slot.message.textContent = text;
      slot.message.hidden = false;
      if (slot.control) {
        if (!slot.message.id) slot.message.id = `error-for-${++errorIds}`;
        slot.control.setAttribute("aria-invalid", "true");
        const described = slot.control.getAttribute("aria-describedby");
        slot.control.setAttribute("aria-describedby",
          described ? `${described} ${slot.message.id}` : slot.message.id);
        first = first || slot.control;
      }
    });
    if (unplaced.children.length) box.append(unplaced);
    box.hidden = false;
    box.focus();
    return first;
  }

  // ---- the chains: relays and evidence ----

  function addRow(listId, templateId, noun) {
    const list = $(listId);
    const row = $(templateId).content.firstElementChild.cloneNode(true);
    row.querySelector(".remove").addEventListener("click", () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber(list, noun);
      (next ? next.querySelector("input") : $(`add-${listId === "relays" ? "relay" : "evidence"}`)).focus();
    });
    if (listId === "relays") row.querySelector("input").addEventListener("input", suggestOutlets);
    list.append(row);
    renumber(list, noun);
    return row;
  }

  // Outlets whose name, alias or domain starts with what is typed, from GET /v1/outlets.
  let suggesting = null;
  function suggestOutlets(event) {
    const typed = event.target.value.trim();
    clearTimeout(suggesting);
    if (typed.length < 2) return;
    suggesting = setTimeout(async () => {
      const response = await fetch(`/v1/outlets?limit=8&q=${encodeURIComponent(typed)}`);
      if (!response.ok) return;
      const found = await response.json();
      $("outlet-suggestions").replaceChildren(...found.items.map((outlet) => {
        const option = el("option");
        option.value = outlet.name;
        const rating = outlet.reliability ? `rated ${outlet.reliability.mean.toFixed(2)}` : "unrated";
        option.label = `${outlet.domain} \u00b7 ${words(outlet.kind)} \u00b7 ${rating}`;
        return option;
      }));
    }, 150);
  }

  function renumber(list, noun) {
    Array.from(list.children).forEach((row, index) => {
      row.querySelector(".visually-hidden").textContent = `${noun} ${index + 1}`;
      row.querySelector(".remove").setAttribute("aria-label", `Remove ${noun.toLowerCase()} ${index + 1}`);
    });
  }

  // ---- the request ----

  function value(id) {
    return $(id).value.trim();
  }

  function assessmentRequest() {
    const source = {};
    [["name", "source-name"], ["type", "source-type"], ["affiliation", "source-affiliation"],
      ["country", "source-country"]].forEach(([key, id]) => {
      if (value(id)) source[key] = value(id);
    });
    // Blank rows are left out; sentRows remembers which row each item came from.
    sentRows.relayed_by = Array.from($("relays").children)
      .filter((row) => row.querySelector(".relay-name").value.trim());
    sentRows.evidence = Array.from($("evidence").children)
      .filter((row) => row.querySelector(".evidence-url").value.trim());
    const context = {
      party_to_event: $("party-to-event").checked,
      first_hand: $("first-hand").checked,
      relayed_by: sentRows.relayed_by.map((row) => row.querySelector(".relay-name").value.trim()),
      evidence: sentRows.evidence.map((row) => ({
        url: row.querySelector(".evidence-url").value.trim(),
        verified: row.querySelector(".evidence-verified").checked })),
    };
    const corroborations = value("corroborations");
    // A number the service can check; anything else goes as typed, for its message.
    context.corroborations = /^\d+$/.test(corroborations) ? Number(corroborations)
      : (corroborations === "" ? 0 : corroborations);
    [["published_at", "published-at"], ["channel", "channel"], ["topic", "topic"]]
      .forEach(([key, id]) => { if (value(id)) context[key] = value(id); });
    const request = { claim: $("claim").value, source, context };
    if (value("desk")) request.desk = value("desk");
    return request;
  }

  async function assess(event) {
    event.preventDefault();
    const form = $("assess-form");
    const button = $("assess-button");
    button.disabled = true;
    $("assess-status").textContent = "Scoring\u2026";
    const request = assessmentRequest();
    const result = await call("POST", "/v1/assessments", request);
    button.disabled = false;
    if (!result.ok) {
      $("assess-status").textContent = "";
      showProblem(form, $("assess-problem"), result.problem);
      return;
    }
    clearProblems(form, $("assess-problem"));
    $("assess-status").textContent = "Scored.";
    shownClaim = request.claim;
    showAssessment(result.data);
    $("answer-heading").focus();
  }

  // ---- the answer ----

  function showAssessment(body) {
    shown = body;
    $("answer").hidden = false;
    const score = body.score;
    const percent = `${Math.round(score * 100)}%`;
    const letter = body.grade.source_reliability;
    const number = body.grade.information_credibility;
    // F or 6: nothing to judge the source by, so the score is the model's guess from the
    // wording and the kind of source, and no band's colour may say otherwise.
    const noBasis = letter === "F" || number === "6";
    const notice = $("no-basis");
    notice.hidden = !noBasis;
    notice.textContent = noBasis
      ? `No basis to judge the source; the model's guess from the wording and kind: ${percent}`
      : "";
    const look = noBasis ? "guess" : body.band;
    const gauge = $("gauge-value");
    gauge.setAttribute("stroke-dasharray", `${(score * 100).toFixed(2)} 100`);
    gauge.setAttribute("class", `gauge-value ${look}`);
    $("gauge-number").textContent = percent;
    $("gauge-text").textContent = noBasis
      ? `Score ${score.toFixed(2)} of 1: the model's guess, with no basis to judge the source`
      : `Score ${score.toFixed(2)} of 1, band ${body.band}`;
    $("score").textContent = score.toFixed(2);
    const band = $("band");
    band.textContent = noBasis ? "the model's guess: no basis" : `${body.band} credibility`;
    band.className = `band ${look}`;

    $("grade-letter").textContent = letter;
    $("grade-letter-meaning").textContent = `${letter}: ${RELIABILITY[letter] || "unknown grade"}`;
    $("grade-number").textContent = number;
    $("grade-number-meaning").textContent = `${number}: ${CREDIBILITY[number] || "unknown grade"}`;

    showFactors(body);
    showStake(body.stake, shownClaim);
    showChanges(body);
    showSource(body.source);
    showRelays(body.relays || []);
    $("desk-name").textContent = body.desk;
    $("model-version").textContent = body.model.version;
    $("policy-version").textContent = body.model.policy_version;
    $("assessment-id").textContent = body.id;
    $("claimreview-link").href = `/v1/assessments/${encodeURIComponent(body.id)}/claimreview`;
    clearProblems($("verdict-form"), $("verdict-problem"));
    $("verdict-status").replaceChildren();
  }

  function showFactors(body) {
    const list = $("factors");
    list.replaceChildren();
    const largest = Math.max(0.01, ...body.factors.map((factor) => Math.abs(factor.weight)));
    body.factors.forEach((factor) => {
      const direction = factor.weight >= 0 ? "up" : "down";
      const row = el("li", "factor");
      const label = el("span", "factor-label", factor.label);
      label.append(el("span", `basis ${factor.basis}`, BASIS[factor.basis] || factor.basis));
      const track = el("span", "bar-track");
      track.setAttribute("aria-hidden", "true");
      const bar = el("span", `bar ${direction}`);
      bar.style.width = `${(50 * Math.abs(factor.weight) / largest).toFixed(2)}%`;
      track.append(bar);
      const weight = el("span", `weight ${direction}`, signed(factor.weight, 2));
      weight.setAttribute("aria-label", `${direction === "up" ? "raises" : "lowers"} the log-odds by ${Math.abs(factor.weight).toFixed(2)}`);
      row.append(label, track, weight);
      list.append(row);
    });
    $("intercept-line").textContent =
      `They start from ${signed(body.intercept, 2)} (the base rate) and add up to the score's log-odds.`;
  }

  const STAKE_WHY = {
    serves: "A party to the events has reasons to inflate the other side's losses, claim " +
      "success, deny involvement and blame the other side, so house policy lowers the " +
      "score of such a claim, and its information credibility drops a step until an " +
      "independent source corroborates it.",
    against: "An admission of its own losses or setbacks is what a party has least reason " +
      "to make up, so house policy raises the score of such a claim.",
  };

  // The claim with the words of each recognised form marked; spans count code points.
  function markedClaim(claim, spans, labels) {
    const chars = Array.from(claim);
    const cuts = new Set([0, chars.length]);
    spans.forEach((span) => { cuts.add(span.start); cuts.add(span.end); });
    const points = Array.from(cuts).filter((at) => at <= chars.length).sort((a, b) => a - b);
    const parts = [];
    for (let i = 0; i + 1 < points.length; i += 1) {
      const [from, to] = [points[i], points[i + 1]];
      const text = chars.slice(from, to).join("");
      const over = spans.filter((span) => span.start <= from && to <= span.end);
      if (!over.length) { parts.push(text); continue; }
      const forms = Array.from(new Set(over.map((span) => span.form)));
      const serving = forms.some((form) => labels[form] && labels[form].direction === "serves");
      const mark = el("mark", `stake-words ${serving ? "serves" : "against"}`, text);
      mark.title = forms.map((form) => (labels[form] || { label: form }).label).join("; ");
      mark.dataset.forms = forms.join(" ");
      parts.push(mark);
    }
    return parts;
  }

  function showStake(stake, claim) {
    const box = $("stake");
    if (!stake || !stake.forms.length) { box.hidden = true; return; }
    box.hidden = false;
    const labels = {};
    stake.forms.forEach((form) => { labels[form.name] = form; });
    const named = (direction) => stake.forms.filter((form) => form.direction === direction)
      .map((form) => form.label);
    const said = [];
    if (named("serves").length) said.push(`it ${named("serves").join("; ")}, which serves its side`);
    if (named("against").length) said.push(`it ${named("against").join("; ")}, against its side`);
    $("stake-summary").textContent = `Recognised in the claim: ${said.join(", and ")}. ` +
      (stake.weighed ? "The source is a party to the events, so this weighs (see the factors)."
        : "The source is not marked as a party to the events, so this does not weigh.");
    $("stake-claim").replaceChildren(...markedClaim(claim, stake.spans, labels));
    $("stake-why").textContent = stake.weighed
      ? ["serves", "against"].filter((d) => named(d).length).map((d) => STAKE_WHY[d]).join(" ")
      : "It would weigh only if the source were a party to the events it describes.";
  }

  function showChanges(body) {
    const list = $("changes");
    list.replaceChildren();
    body.what_would_change.forEach((change) => {
      const delta = change.score - body.score;
      const item = el("li", null, `If ${change.change}: `);
      item.append(el("strong", null, change.score.toFixed(2)), " ");
      item.append(el("span", `delta ${delta >= 0 ? "up" : "down"}`, `(${signed(delta, 2)})`));
      list.append(item);
    });
    if (!body.what_would_change.length) list.append(el("li", null, "Nothing the desk could add would move it."));
  }

  function showRelays(relays) {
    const list = $("relay-outlets");
    list.replaceChildren(...relays.map((relay) => {
      const item = el("li", null, relay.outlet ? `${relay.outlet.name} (${relay.outlet.domain}): ` : `${relay.given}: `);
      item.append(el("span", "outlet-summary", relay.outlet ? relay.outlet.summary
        : "no outlet known by this name; the policy's flat relay weight"));
      return item;
    }));
    $("relays-box").hidden = !relays.length;
  }

  function showSource(source) {
    const box = $("source-record");
    box.replaceChildren();
    const facts = el("dl");
    const add = (term, text) => {
      if (text === null || text === undefined || text === "") return;
      facts.append(el("dt", null, term), el("dd", null, text));
    };
    add("Name", source.name || "(not named)");
    add("Kind", words(source.type));
    add("Affiliation", source.affiliation);
    add("Country", source.country);
    if (source.outlet) add("Outlet", `${source.outlet.name} (${source.outlet.domain}): ${source.outlet.summary}`);
    // Registered; named but not registered yet; or given only by kind, which never is.
    const byKindOnly = !source.id && !source.name;
    add("Registry", source.id ? "registered" : (byKindOnly
      ? "not registered: a source given only by kind never is"
      : "not registered; registered at its first verdict"));
    if (source.reliability) {
      const r = source.reliability;
      add("Reliability", `${r.grade}: ${RELIABILITY[r.grade] || ""}; estimate ${r.mean.toFixed(2)} ` +
        `(interval ${r.low.toFixed(2)}\u2013${r.high.toFixed(2)})`);
    }
    const record = source.track_record;
    if (record && record.total) {
      const held = LEVELS.slice(3).reduce((sum, level) => sum + (record.counts[level] || 0), 0);
      add("Track record", `${held} of ${record.total} earlier ${record.total === 1 ? "claim" : "claims"} held up`);
    } else {
      add("Track record", byKindOnly ? "none: a source given only by kind has no record"
        : "no verdicts yet");
    }
    facts.lastElementChild.id = "track-record-summary";
    box.append(facts);
    if (record && record.total) {
      const table = el("table", "record-table");
      table.append(el("caption", "visually-hidden", "Verdicts on earlier claims, by level"));
      const head = el("tr");
      const counts = el("tr");
      LEVELS.forEach((level) => {
        const th = el("th", null, level);
        th.setAttribute("scope", "col");
        head.append(th);
        counts.append(el("td", null, record.counts[level] || 0));
      });
      table.append(head, counts);
      box.append(table);
    }
  }

  // ---- the verdict ----

  async function recordVerdict(event) {
    event.preventDefault();
    const form = $("verdict-form");
    const box = $("verdict-problem");
    if (!shown) return;
    const key = $("api-key").value.trim();
    const body = { verdict: $("verdict").value, reviewer: $("reviewer").value.trim() };
    if (value("verdict-evidence")) body.evidence_url = value("verdict-evidence");
    if (value("verdict-notes")) body.notes = value("verdict-notes");
    const button = $("verdict-button");
    button.disabled = true;
    $("verdict-status").textContent = "Recording\u2026";
    const headers = key ? { "X-API-Key": key } : {};
    const result = await call("POST", `/v1/assessments/${encodeURIComponent(shown.id)}/verdict`,
      body, headers);
    button.disabled = false;
    $("verdict-status").replaceChildren();
    if (!result.ok) {
      showProblem(form, box, result.problem);
      return;
    }
    clearProblems(form, box);
    showSource(result.data);
    const done = el("span", "success", `Verdict recorded: ${body.verdict}. The source record above is updated.`);
    $("verdict-status").append(done);
  }

  // ---- suggestions and the taxonomy ----

  async function loadTaxonomy() {
    const result = await call("GET", "/v1/taxonomy");
    if (!result.ok) {
      showProblem($("assess-form"), $("assess-problem"), result.problem);
      return;
    }
    const select = $("source-type");
    result.data.types.forEach((kind) => {
      taxonomy[kind.name] = kind;
      const option = el("option", null, words(kind.name));
      option.value = kind.name;
      select.append(option);
    });
    describeType();
  }

  function describeType() {
    const kind = taxonomy[$("source-type").value];
    $("source-type-description").textContent = kind
      ? `${kind.description} Prior: ${kind.mean.toFixed(2)} of claims hold up (${kind.basis}).`
      : "";
  }

  let suggestTimer = null;
  let suggested = [];

  function suggestSources() {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(async () => {
      const typed = value("source-name");
      describeMatch(typed);
      if (typed.length < 2) return;
      const result = await call("GET", `/v1/sources?q=${encodeURIComponent(typed)}&limit=10`);
      if (!result.ok) return; // suggestions are a help; typing goes on without them
      suggested = result.data.items;
      const list = $("source-suggestions");
      list.replaceChildren();
      suggested.forEach((source) => {
        const option = el("option");
        option.value = source.name;
        option.label = [words(source.type), source.affiliation].filter(Boolean).join(", ");
        list.append(option);
      });
      describeMatch(typed);
    }, 200);
  }

  function describeMatch(typed) {
    const wanted = typed.toLowerCase();
    const match = suggested.find((source) => source.name.toLowerCase() === wanted
      || (source.aliases || []).some((alias) => alias.toLowerCase() === wanted));
    $("source-match").textContent = match && wanted
      ? `Registered: ${words(match.type)}${match.affiliation ? ", " + match.affiliation : ""}; ` +
        `${match.track_record ? match.track_record.total : 0} verdicts on record.`
      : "";
  }

  // ---- a news report: its claims side by side ----

  // Words too common to tie two claims to one event.
  const COMMON = new Set(("that this with from have been were they their which would about " +
    "after said says told into over more than also there other what when where while will " +
    "them some most only such could should being its it's these those before since until " +
    "against between during under because every any all our your his her him she".split(" ")));

  // Content words of a claim: proper names (capitalised in the text) weigh two, others one.
  function eventWords(claim) {
    const speaker = new Set(String(claim.source.name || "").toLowerCase().split(/\s+/));
    const weights = new Map();
    (claim.claim.match(/[\p{L}\d][\p{L}\d'-]{3,}/gu) || []).forEach((word, index) => {
      const key = word.toLowerCase();
      if (COMMON.has(key) || speaker.has(key)) return;
      const proper = index > 0 && /^\p{Lu}/u.test(word);
      weights.set(key, Math.max(weights.get(key) || 0, proper ? 2 : 1));
    });
    return weights;
  }

  // Claims by different speakers that share words weighing two or more are about the same
  // event: they are grouped (transitively) and shown together, in the report's order.
  function eventGroups(claims) {
    const words = claims.map(eventWords);
    const parent = claims.map((_, index) => index);
    const root = (i) => (parent[i] === i ? i : (parent[i] = root(parent[i])));
    const shared = (a, b) => [...words[a]].filter(([word]) => words[b].has(word));
    for (let a = 0; a < claims.length; a++) {
      for (let b = a + 1; b < claims.length; b++) {
        const speakerA = String(claims[a].source.name).toLowerCase();
        if (speakerA === String(claims[b].source.name).toLowerCase()) continue;
        const weight = shared(a, b).reduce((sum, [, w]) => sum + w, 0);
        if (weight >= 2) parent[root(b)] = root(a);
      }
    }
    const groups = new Map();
    claims.forEach((_, index) => {
      const key = root(index);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(index);
    });
    return [...groups.values()].map((members) => {
      const counts = new Map();
      members.forEach((i) => words[i].forEach((_, word) => counts.set(word, (counts.get(word) || 0) + 1)));
      const common = [...counts].filter(([, n]) => n > 1).sort((x, y) => y[1] - x[1])
        .slice(0, 4).map(([word]) => word);
      return { members, common };
    });
  }

  function setMode(mode) {
    const report = mode === "report";
    $("mode-claim").setAttribute("aria-pressed", String(!report));
    $("mode-report").setAttribute("aria-pressed", String(report));
    $("claim-panel").hidden = report;
    $("answer").hidden = report || !shown;
    $("report-panel").hidden = !report;
    (report ? $("report-text") : $("claim")).focus();
  }

  async function weighReport(event) {
    event.preventDefault();
    const form = $("report-form");
    const body = { text: $("report-text").value };
    if (value("report-title")) body.title = value("report-title");
    if (value("report-published")) body.published_at = value("report-published");
    const button = $("report-button");
    button.disabled = true;
    $("report-status").textContent = "Reading and scoring\u2026";
    const result = await call("POST", "/v1/articles", body);
    button.disabled = false;
    $("report-status").textContent = "";
    if (!result.ok) {
      showProblem(form, $("report-problem"), result.problem);
      return;
    }
    clearProblems(form, $("report-problem"));
    showReport(result.data);
  }

  function showReport(article) {
    $("report-answer").hidden = false;
    const table = $("report-claims");
    table.querySelectorAll("tbody").forEach((node) => node.remove());
    const claims = article.claims;
    table.hidden = claims.length === 0;
    const scored = claims.filter((claim) => claim.assessment).length;
    $("report-summary").textContent = article.language !== "en"
      ? `This report is not in English (language: ${article.language}): no claims were read from it.`
      : `${claims.length} attributed claim${claims.length === 1 ? "" : "s"}, ${scored} scored` +
        (claims.length ? "." : ": the report names no one saying anything.");
    let number = 0;
    eventGroups(claims).forEach((group) => {
      const body = el("tbody", group.members.length > 1 ? "event" : null);
      if (group.members.length > 1) {
        const head = el("tr", "event-head");
        const cell = el("th", null, `Same event: ${group.common.join(", ")}`);
        cell.colSpan = 6;
        cell.scope = "rowgroup";
        head.append(cell);
        body.append(head);
      }
      group.members.forEach((index) => body.append(claimRow(claims[index], ++number)));
      table.append(body);
    });
  }

  function kindSelect(current, label) {
    const select = el("select", "kind");
    select.setAttribute("aria-label", label);
    const names = Object.keys(taxonomy).length ? Object.keys(taxonomy) : [current];
    if (!names.includes(current)) names.push(current);
    names.forEach((name) => {
      const option = el("option", null, words(name));
      option.value = name;
      option.selected = name === current;
      select.append(option);
    });
    return select;
  }

  function flag(text, checked, className) {
    const label = el("label", "inline");
    const box = el("input", className);
    box.type = "checkbox";
    box.checked = Boolean(checked);
    label.append(box, document.createTextNode(` ${text}`));
    return label;
  }

  function claimRow(claim, number) {
    const row = el("tr", "claim-row");
    row.dataset.speaker = claim.source.name;
    const said = el("td", "claim-text");
    said.append(el("span", "number", `${number}. `), el("span", null, claim.claim));
    const how = [claim.cue];
    if (claim.context.relayed_by && claim.context.relayed_by.length) {
      how.push(`relayed by ${claim.context.relayed_by.join(", ")}`);
    }
    if (claim.speakers && claim.speakers.length > 1) how.push(`with ${claim.speakers.slice(1).join(", ")}`);
    said.append(el("span", "how", how.join(" \u00b7 ")));

    const who = el("td", "speaker");
    const name = el("input", "speaker-name");
    name.value = claim.source.name;
    name.setAttribute("aria-label", `Speaker of claim ${number}`);
    who.append(name, kindSelect(claim.source.type, `Kind of speaker of claim ${number}`));

    const flags = el("td", "flags");
    flags.append(flag("party to the events", claim.context.party_to_event, "party"),
      flag("first-hand", claim.context.first_hand, "first-hand"));
    const again = el("button", "secondary rescore", claim.assessment ? "Re-score" : "Score it anyway");
    again.type = "button";
    again.setAttribute("aria-label", `Re-score claim ${number}`);
    flags.append(again);

    const grade = el("td", "grade-cell");
    const factors = el("td", "top-factors");
    const verdict = el("td", "row-verdict");
    const levels = el("select", "row-level");
    levels.setAttribute("aria-label", `Verdict on claim ${number}`);
    levels.append(el("option", null, "Choose"));
    levels.firstChild.value = "";
    LEVELS.forEach((level) => {
      const option = el("option", null, level);
      option.value = level;
      levels.append(option);
    });
    const record = el("button", "secondary record", "Record");
    record.type = "button";
    record.setAttribute("aria-label", `Record the verdict on claim ${number}`);
    const status = el("span", "row-status");
    status.setAttribute("role", "status");
    verdict.append(levels, record, status);
    row.append(said, who, flags, grade, factors, verdict);

    const state = { claim, row };
    showRowAssessment(state);
    if (claim.verdict) status.textContent = `Verdict: ${claim.verdict.verdict}`;
    again.addEventListener("click", () => rescoreRow(state));
    record.addEventListener("click", () => recordRowVerdict(state));
    return row;
  }

  function showRowAssessment(state) {
    const { claim, row } = state;
    const grade = row.querySelector(".grade-cell");
    const factors = row.querySelector(".top-factors");
    grade.replaceChildren();
    factors.replaceChildren();
    row.querySelector(".record").disabled = !claim.assessment;
    row.querySelector(".row-level").disabled = !claim.assessment;
    if (!claim.assessment) {
      grade.append(el("span", "unscored", claim.checkable ? "Not scored" : "Opinion: not scored"));
      return;
    }
    const a = claim.assessment;
    grade.append(el("span", "grade-mark", `${a.grade.source_reliability}${a.grade.information_credibility}`),
      el("span", `band ${a.band}`, a.band), el("span", "row-score", a.score.toFixed(2)));
    const list = el("ul", "factor-list");
    [...a.factors].sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight)).slice(0, 3)
      .forEach((factor) => list.append(el("li", null, `${factor.label}: ${signed(factor.weight, 2)}`)));
    factors.append(list);
  }

  async function rescoreRow(state) {
    const { claim, row } = state;
    const status = row.querySelector(".row-status");
    const source = { name: row.querySelector(".speaker-name").value.trim(),
      type: row.querySelector(".kind").value };
    if (source.name === claim.source.name) {
      ["role", "country"].forEach((key) => { if (claim.source[key]) source[key] = claim.source[key]; });
    }
    if (!source.name) delete source.name;
    const context = Object.assign({}, claim.context, {
      party_to_event: row.querySelector(".party").checked,
      first_hand: row.querySelector(".first-hand").checked });
    status.textContent = "Scoring\u2026";
    const result = await call("POST", "/v1/assessments", { claim: claim.claim, source, context });
    if (!result.ok) {
      const errors = Object.entries(result.problem.errors || {})
        .map(([path, text]) => `${path}: ${[].concat(text).join(" ")}`).join("; ");
      status.textContent = `${result.problem.title}${errors ? ": " + errors : ""}`;
      return;
    }
    state.claim = Object.assign({}, claim, { source: Object.assign({}, claim.source, source),
      context, assessment: result.data, verdict: null });
    row.dataset.speaker = state.claim.source.name;
    row.querySelector(".rescore").textContent = "Re-score";
    showRowAssessment(state);
    status.textContent = "Re-scored.";
  }

  async function recordRowVerdict(state) {
    const { claim, row } = state;
    const status = row.querySelector(".row-status");
    const level = row.querySelector(".row-level").value;
    if (!claim.assessment) return;
    if (!level) {
      status.textContent = "Choose a verdict first.";
      return;
    }
    const key = value("report-key");
    const reviewer = value("report-reviewer") || "desk";
    status.textContent = "Recording\u2026";
    const result = await call("POST",
      `/v1/assessments/${encodeURIComponent(claim.assessment.id)}/verdict`,
      { verdict: level, reviewer }, key ? { "X-API-Key": key } : {});
    status.textContent = result.ok ? `Verdict recorded: ${level}.`
      : `${result.problem.title}: ${result.problem.detail}`;
  }

  // ---- start ----

  function start() {
    $("assess-form").addEventListener("submit", assess);
    $("verdict-form").addEventListener("submit", recordVerdict);
    $("add-relay").addEventListener("click", () => addRow("relays", "relay-row", "Relay").querySelector("input").focus());
    $("add-evidence").addEventListener("click", () => addRow("evidence", "evidence-row", "Evidence").querySelector("input").focus());
    $("source-type").addEventListener("change", describeType);
    $("source-name").addEventListener("input", suggestSources);
    ["api-key", "report-key"].forEach((id) => {
      const keyField = $(id);
      keyField.value = sessionStorage.getItem(KEY_STORE) || "";
      keyField.addEventListener("input", () => {
        if (keyField.value) sessionStorage.setItem(KEY_STORE, keyField.value);
        else sessionStorage.removeItem(KEY_STORE);
      });
    });
    $("mode-claim").addEventListener("click", () => setMode("claim"));
    $("mode-report").addEventListener("click", () => setMode("report"));
    $("report-form").addEventListener("submit", weighReport);
    loadTaxonomy();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
