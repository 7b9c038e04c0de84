// Register page: details first (a code is emailed), then the code, which creates the account and logs in.
import { $, api, rememberCsrf } from "./api.js";
import { bindForm, nextPath } from "./forms.js";

const registerForm = $("register-form");
const verifyForm = $("verify-form");

bindForm(registerForm, async (values) => {
  const answer = await api("/auth/register", { method: "POST", body: values });
  registerForm.hidden = true;
  verifyForm.elements.email.value = values.email;
  $("verify-hint").textContent = `${values.email}: ${answer.message}`;
  verifyForm.hidden = false;
  verifyForm.elements.code.focus();
});

bindForm(verifyForm, async (values) => {
  const data = await api("/auth/register/verify", { method: "POST", body: { email: values.email, code: values.code } });
  rememberCsrf(data.csrf_token);
  location.assign(nextPath());
});
