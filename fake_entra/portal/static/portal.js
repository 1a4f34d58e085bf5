// A little progressive enhancement: every page works without it.
document.documentElement.classList.add("js");
document.addEventListener("click", (event) => {
  const close = event.target.closest(".toast-close");
  if (close) close.closest(".toast").remove();
});
// Provisioning Mode: changing the select applies it (the "Apply" button does without JS).
document.querySelectorAll("select[data-submit-on-change]").forEach((select) => {
  select.addEventListener("change", () => {
    const form = select.form;
    const action = document.createElement("input");
    action.type = "hidden";
    action.name = "action";
    action.value = select.dataset.submitOnChange;
    form.appendChild(action);
    form.submit();
  });
});
// The live stream of SCIM exchanges (server-sent events).
const list = document.querySelector("[data-stream]");
if (list && window.EventSource) {
  const seen = new Set([...list.querySelectorAll("li")].map((li) => li.dataset.number));
  const source = new EventSource(list.dataset.stream);
  source.addEventListener("exchange", (event) => {
    const x = JSON.parse(event.data);
    if (seen.has(String(x.number))) return;
    seen.add(String(x.number));
    const li = document.createElement("li");
    li.dataset.number = x.number;
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = `${x.method} ${x.url} → ${x.status ?? "no answer"}`;
    const request = document.createElement("pre");
    request.textContent = x.requestBody;
    const response = document.createElement("pre");
    response.textContent = x.responseBody;
    details.append(summary, request, response);
    li.append(details);
    list.prepend(li);
  });
}
