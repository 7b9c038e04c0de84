// Form helpers for the account pages: read a form, show the API's per-field errors next to the inputs.
import { ApiError } from "./api.js";

export function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form)) values[name] = typeof value === "string" ? value.trim() : value;
  return values;
}

function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => {
    node.removeAttribute("aria-invalid");
    node.removeAttribute("aria-describedby");
  });
  const notice = form.querySelector(".form-notice");
  if (notice) { notice.hidden = true; notice.textContent = ""; notice.className = "notice form-notice"; }
}

export function showNotice(form, text, isError = false) {
  let notice = form.querySelector(".form-notice");
  if (!notice) {
    notice = document.createElement("p");
    notice.setAttribute("role", isError ? "alert" : "status");
    form.prepend(notice);
  }
  notice.className = `notice form-notice${isError ? " error" : ""}`;
  notice.textContent = text;
  notice.hidden = false;
}

function showErrors(form, err) {
  const fields = err.fields || {};
  let placed = false;
  for (const [name, messages] of Object.entries(fields)) {
    const input = form.elements.namedItem(name);
    if (!input || !input.after) continue;
    // Tied to its input, so a screen reader reads the reason with the field.
    const note = document.createElement("p");
    note.className = "field-error";
    note.id = `${input.id || name}-error`;
    note.textContent = [].concat(messages).join(" ");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
    input.after(note);
    placed = true;
  }
  if (!placed || err.status !== 422) showNotice(form, err.message, true);
}

// Run handler(values) on submit; errors from the API land on the form. Returns nothing.
export function bindForm(form, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      await handler(formValues(form));
    } catch (err) {
      if (err instanceof ApiError) showErrors(form, err); else showNotice(form, String(err.message || err), true);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

// Where to go after logging in: a same-site ?next=/path, else the account page.
export function nextPath(fallback = "/account") {
  const next = new URLSearchParams(location.search).get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") ? next : fallback;
}
