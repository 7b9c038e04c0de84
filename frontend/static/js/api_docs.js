// A readable rendering of openapi.json: every path, its methods, parameters and responses.
import { $, el } from "./api.js";

function schemaName(schema) {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").pop();
  if (schema.type === "array") return `${schemaName(schema.items)}[]`;
  return schema.type || "object";
}

function operation(path, method, op) {
  const params = (op.parameters || []).map((p) => el("li", {}, el("code", {}, p.name), ` (${p.in}${p.required ? ", required" : ""})`));
  // JSON bodies mostly; the image upload is multipart/form-data.
  const [bodyType, bodyMedia] = op.requestBody ? Object.entries(op.requestBody.content)[0] : [];
  const body = op.requestBody ? el("p", {}, "Body: ", el("code", {}, schemaName(bodyMedia.schema)),
    bodyType === "application/json" ? "" : ` (${bodyType})`) : null;
  const responses = Object.entries(op.responses || {}).map(([code, r]) =>
    el("li", {}, el("code", {}, code), ` ${r.description}`, r.content ? ` → ${schemaName(r.content["application/json"].schema)}` : ""));
  return el("details", { class: "api-op" },
    el("summary", {}, el("span", { class: `verb verb-${method}` }, method.toUpperCase()), " ", el("code", {}, path), ` — ${op.summary || ""}`),
    params.length ? el("ul", {}, params) : null, body, el("ul", {}, responses));
}

const spec = await (await fetch("/api/v1/openapi.json")).json();
const root = $("api-docs");
root.replaceChildren(...Object.entries(spec.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => operation(`/api/v1${path.replace(/^\/api\/v1/, "")}`, method, op))));
