// Forgot-password page: always the same answer, whether or not the address has an account.
import { $, api } from "./api.js";
import { bindForm, showNotice } from "./forms.js";

const form = $("forgot-form");
bindForm(form, async (values) => {
  // The server's answer says how long the link lasts (one definition, beside its TTL).
  const answer = await api("/auth/password/forgot", { method: "POST", body: { email: values.email } });
  showNotice(form, answer.message);
});
