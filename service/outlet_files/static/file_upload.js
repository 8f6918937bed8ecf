// The outlet import and OM file pages: read the chosen file, show the server's preview (rows and problems in the
// page's language), and send the same file once it has no problems. The file goes as JSON (base64), which only
// this site's own page can send with the sign-in cookie.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const msg = data.messages;
  const form = document.getElementById("file-form");
  if (!form) return; // no plan to submit the OM file to
  const fileInput = document.getElementById("file");
  const submitButton = document.getElementById("import-button");
  const result = document.getElementById("result");
  const columns = Array.from(document.querySelectorAll("#rows th[data-column]")).map((th) => th.dataset.column);
  let upload = null; // the body previewed, sent again on submit

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : "{" + name + "}"));
  }

  function base64(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }

  async function post(url, body) {
    const response = await fetch(url + "?lang=" + encodeURIComponent(data.language), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { ok: response.ok, body: await response.json() };
  }

  function problemsOf(detail) {
    return (detail || []).map((d) => ({ row: d.loc.length > 2 ? d.loc[d.loc.length - 2] : null, msg: d.msg }));
  }

  function showProblems(problems) {
    const list = document.getElementById("problems");
    list.replaceChildren(...problems.map((p) => {
      const item = document.createElement("li");
      item.textContent = p.msg;
      return item;
    }));
  }

  function showPreview(preview) {
    document.getElementById("preview").hidden = false;
    document.getElementById("summary").textContent = preview.summary || format(msg["master_data.rows_ok"], { rows: preview.rows });
    showProblems(preview.problems);
    const bad = new Map();
    preview.problems.forEach((p) => bad.set(p.row + "/" + p.column, p.msg));
    const body = document.querySelector("#rows tbody");
    body.replaceChildren(...preview.shown.map((row) => {
      const tr = document.createElement("tr");
      const number = document.createElement("th");
      number.scope = "row";
      number.textContent = row.row;
      tr.append(number);
      columns.forEach((column) => {
        const td = document.createElement("td");
        td.textContent = row[column] == null ? "" : row[column];
        const problem = bad.get(row.row + "/" + column);
        if (problem) {
          td.className = "bad";
          td.title = problem;
          tr.className = "bad-row";
        }
        tr.append(td);
      });
      if (preview.problems.some((p) => p.row === row.row)) tr.className = "bad-row";
      return tr;
    }));
    submitButton.disabled = preview.problems.length > 0;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = fileInput.files[0];
    if (!file) return;
    submitButton.disabled = true;
    result.textContent = "";
    upload = {
      office_id: data.office_id,
      filename: file.name,
      content_base64: base64(await file.arrayBuffer()),
      coord_system: document.getElementById("coord-system").value,
    };
    const answer = await post(data.preview_url, upload);
    if (answer.ok) {
      showPreview(answer.body);
    } else {
      document.getElementById("preview").hidden = false;
      document.getElementById("summary").textContent = msg["master_data.unreadable"];
      showProblems(problemsOf(answer.body.detail));
    }
  });

  submitButton.addEventListener("click", async () => {
    if (!upload) return;
    submitButton.disabled = true;
    const body = Object.assign({}, upload);
    if (data.base_plan_id != null) {
      body.base_plan_id = data.base_plan_id;
      body.change_budget = Number(document.getElementById("change-budget").value || 0);
      body.idempotency_key = "om-" + file_key(upload);
    }
    const answer = await post(data.submit_url, body);
    if (!answer.ok) {
      result.textContent = msg["master_data.refused"];
      showProblems(problemsOf(answer.body.detail));
      return;
    }
    if (answer.body.result_plan_id != null) {
      window.location.assign(format(data.diff_url, { id: answer.body.id }));
      return;
    }
    result.textContent = format(msg["master_data.imported"], answer.body);
  });

  // one key per file content and base version: submitting the same file twice applies it once
  function file_key(body) {
    let hash = 0;
    for (let i = 0; i < body.content_base64.length; i++) hash = (hash * 31 + body.content_base64.charCodeAt(i)) | 0;
    return data.base_plan_id + "-" + (hash >>> 0).toString(16) + "-" + body.content_base64.length;
  }
})();
