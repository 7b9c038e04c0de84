// Login page: password login, or a one-time code by email. Every success goes to ?next= or the account page.
import { $, api, rememberCsrf } from "./api.js";
import { bindForm, nextPath, showNotice } from "./forms.js";

function loggedIn(data) {
  rememberCsrf(data.csrf_token);
  location.assign(nextPath());
}

bindForm($("login-form"), async (values) => {
  loggedIn(await api("/auth/login", { method: "POST", body: { login: values.login, password: values.password } }));
});

const verifyForm = $("otp-verify-form");

bindForm($("otp-form"), async (values) => {
  const answer = await api("/auth/otp", { method: "POST", body: { email: values.email } });
  verifyForm.elements.email.value = values.email;
  verifyForm.hidden = false;
  showNotice(verifyForm, answer.message);
  verifyForm.elements.code.focus();
});

bindForm(verifyForm, async (values) => {
  loggedIn(await api("/auth/otp/verify", { method: "POST", body: { email: values.email, code: values.code } }));
});
