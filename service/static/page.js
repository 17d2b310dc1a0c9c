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

  // ---- start ----

  function start() {
    $("assess-form").addEventListener("submit", assess);
    $("verdict-form").addEventListener("submit", recordVerdict);
    $("add-relay").addEventListener("click", () => addRow("relays", "relay-row", "Relay").querySelector("input").focus());
    $("add-evidence").addEventListener("click", () => addRow("evidence", "evidence-row", "Evidence").querySelector("input").focus());
    $("source-type").addEventListener("change", describeType);
    $("source-name").addEventListener("input", suggestSources);
    const keyField = $("api-key");
    keyField.value = sessionStorage.getItem(KEY_STORE) || "";
    keyField.addEventListener("input", () => {
      if (keyField.value) sessionStorage.setItem(KEY_STORE, keyField.value);
      else sessionStorage.removeItem(KEY_STORE);
    });
    loadTaxonomy();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
