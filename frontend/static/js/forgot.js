// Forgot-password page: always the same answer, whether or not the address has an account.
import { $, api } from "./api.js";
import { bindForm, showNotice } from "./forms.js";

const form = $("forgot-form");
bindForm(form, async (values) => {
  await api("/auth/password/forgot", { method: "POST", body: { email: values.email } });
  showNotice(form, `If ${values.email} belongs to an account, a reset link is on its way (valid 15 minutes).`);
});
