// Admin panel: a product's images (docs/api.md "Product images"): upload several at once, previews, alt text,
// order and delete. The markup is the <template id="product-images-template"> of admin.html; staff
// without write access get the previews only. The server decides what an image is: a file is sent
// whatever its name or type says, and its answer (422 not an image, 413 too large) is shown on its row.
import { $, api, el } from "./api.js";

const BOX = 320;  // the thumb copy's longest edge

// The thumb's own size, from the large copy's (same proportions), so the preview reserves its space.
function thumbSize(image) {
  const scale = Math.min(1, BOX / Math.max(image.width, image.height));
  return { width: Math.max(1, Math.round(image.width * scale)), height: Math.max(1, Math.round(image.height * scale)) };
}

function problem(err) {
  if (err.status === 413) return err.body ? `Too large: ${err.message}` : "Too large for an upload.";
  const fields = err.fields || {};
  const messages = [...(fields.file || []), ...(fields.alt || []), ...(fields.position || [])];
  return messages.length ? messages.join(" ") : err.message;
}

function say(node, text, isError = false) {
  node.textContent = text;
  node.classList.toggle("field-error", isError);
}

export function imagesPanel(productId, { canWrite }) {
  const root = $("product-images-template").content.firstElementChild.cloneNode(true);
  root.dataset.productId = productId;
  const list = root.querySelector(".image-list");
  const status = root.querySelector(".images-status");
  const uploads = root.querySelector(".upload-list");
  const input = root.querySelector("input[type=file]");
  root.querySelector(".image-upload").hidden = !canWrite;
  let images = [];

  async function load() {
    try {
      // The images endpoint lists an archived product's images too (the shop's detail answers 404 for it).
      images = await api(`/products/${productId}/images`, { cache: "no-store" });
    } catch (err) {
      say(status, err.message, true);
      return;
    }
    say(status, images.length ? `${images.length} image${images.length === 1 ? "" : "s"}, the first is the cover.` : "No images yet.");
    list.replaceChildren(...images.map(row));
  }

  function row(image, index) {
    const size = thumbSize(image);
    const note = el("p", { class: "status image-note", role: "status" });
    const item = el("li", { class: "image-item", "data-image-id": image.id, "data-position": image.position },
      el("img", { class: "image-thumb", src: image.urls.thumb, alt: image.alt, width: size.width, height: size.height }));
    if (!canWrite) {
      item.append(el("p", { class: "image-alt" }, image.alt || "(no alt text)"));
      return item;
    }
    const altId = `image-alt-${image.id}`;
    const altForm = el("form", { class: "image-alt-form", novalidate: true },
      el("label", { for: altId }, "Alt text"),
      el("input", { id: altId, name: "alt", value: image.alt, maxlength: "300", placeholder: "What the picture shows" }),
      el("button", { type: "submit", class: "secondary image-save-alt" }, "Save"));
    altForm.addEventListener("submit", (event) => {
      event.preventDefault();
      change(image, { alt: altForm.elements.alt.value.trim() }, note, "Alt text saved.");
    });
    const label = `image ${index + 1}`;
    const up = el("button", { type: "button", class: "secondary image-up", "aria-label": `Move ${label} up`, disabled: index === 0,
      onclick: () => change(image, { position: images[index - 1].position }, note, "Moved.") }, "↑");
    const down = el("button", { type: "button", class: "secondary image-down", "aria-label": `Move ${label} down`,
      disabled: index === images.length - 1, onclick: () => change(image, { position: images[index + 1].position }, note, "Moved.") }, "↓");
    const remove = el("button", { type: "button", class: "danger image-delete", "aria-label": `Delete ${label}`,
      onclick: () => destroy(image, index, note) }, "Delete");
    item.append(altForm, el("div", { class: "image-actions" }, up, down, remove), note);
    return item;
  }

  async function change(image, body, note, done) {
    try {
      await api(`/products/${productId}/images/${image.id}`, { method: "PATCH", body });
    } catch (err) {
      say(note, problem(err), true);
      return;
    }
    await load();
    // The row was redrawn: say it on the image's new row, wherever it moved to.
    const moved = list.querySelector(`[data-image-id="${image.id}"]`);
    if (moved) {
      say(moved.querySelector(".image-note"), done);
      // Keyboard users keep their place: focus follows the image (the other arrow once at an end).
      if ("position" in body) {
        const [ahead, back] = body.position < image.position ? [".image-up", ".image-down"] : [".image-down", ".image-up"];
        const button = moved.querySelector(ahead);
        (button.disabled ? moved.querySelector(back) : button).focus();
      }
    }
  }

  async function destroy(image, index, note) {
    if (!confirm(`Delete image ${index + 1}${image.alt ? ` (“${image.alt}”)` : ""}? Its files are removed for good.`)) return;
    try {
      await api(`/products/${productId}/images/${image.id}`, { method: "DELETE" });
    } catch (err) {
      say(note, problem(err), true);
      return;
    }
    await load();
    say(status, `Image deleted. ${status.textContent}`);
  }

  // One request per file, one after the other: each answer lands on its own row, and the images get
  // positions in the order they were chosen.
  async function upload(files) {
    const rows = files.map((file) => {
      const bar = el("progress", { max: "1", "aria-label": `Upload of ${file.name}` });
      const text = el("span", { class: "upload-status" }, "Waiting");
      const item = el("li", { class: "upload", "data-file-name": file.name, "data-state": "waiting" },
        el("span", { class: "upload-name" }, file.name), bar, text);
      return { file, item, bar, text };
    });
    uploads.replaceChildren(...rows.map((r) => r.item));
    for (const r of rows) {
      r.item.dataset.state = "uploading";
      r.bar.removeAttribute("value");  // indeterminate: fetch reports no upload progress
      say(r.text, "Uploading…");
      const form = new FormData();
      form.append("file", r.file, r.file.name);
      try {
        await api(`/products/${productId}/images`, { method: "POST", body: form });
        r.bar.value = 1;
        r.item.dataset.state = "done";
        say(r.text, "Uploaded");
        await load();
      } catch (err) {
        r.bar.value = 0;
        r.item.dataset.state = "failed";
        // A refused upload may reach us as a dropped connection instead of an answer (no status).
        say(r.text, err.status ? problem(err) : "The upload did not get through (too large, or the connection dropped).", true);
      }
    }
  }

  input.addEventListener("change", async () => {
    const files = [...input.files];
    if (!files.length) return;
    input.disabled = true;
    try {
      await upload(files);
    } finally {
      input.value = "";
      input.disabled = false;
    }
  });

  load();
  return root;
}
