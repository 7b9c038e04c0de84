// Reset page: the token comes in the emailed link; it is moved out of the address bar at once.
import { $, api, rememberCsrf } from "./api.js";
import { bindForm, showNotice } from "./forms.js";

const form = $("reset-form");
const token = new URLSearchParams(location.search).get("token") || "";
form.elements.token.value = token;
history.replaceState(null, "", "/reset");
if (!token) showNotice(form, "This page needs the link from the reset email.", true);

bindForm(form, async (values) => {
  await api("/auth/password/reset", { method: "POST", body: { token: values.token, password: values.password } });
  rememberCsrf(null);
  form.replaceChildren();
  showNotice(form, "Your password is changed and every session has ended. You can log in now.");
  form.append(Object.assign(document.createElement("a"), { href: "/login", textContent: "Log in" }));
});
