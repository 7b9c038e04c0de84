// Product page: the gallery of a product's images (docs/api.md "Product images"): one main picture at a time,
// each with srcset/sizes so the browser fetches the copy the screen needs, and thumbnail buttons that
// switch it (click, Enter/Space, arrow keys). A product without images keeps its one picture or letter.
import { el } from "./api.js";
import { imageNode } from "./catalog.js";

// The stored copies and the longest edge each may have (never upscaled, so a small original's copies
// are smaller still).
const COPIES = [["thumb", 320], ["medium", 800], ["large", 1600]];
// The picture takes half the page (max 1200px less padding and gap) beside the details, the whole
// width below 720px (catalog.css).
const SIZES = "(max-width: 720px) calc(100vw - 3rem), 560px";

// A copy's real size, from the large copy's (all copies keep its proportions).
function copySize(image, edge) {
  const scale = Math.min(1, edge / Math.max(image.width, image.height));
  return { width: Math.max(1, Math.round(image.width * scale)), height: Math.max(1, Math.round(image.height * scale)) };
}

// "thumb.jpg 320w, medium.jpg 800w, large.jpg 1600w", with each copy's true width; copies no wider
// than a smaller one (an original under 800px) are left out.
export function srcsetOf(image) {
  const widths = new Set();
  const parts = [];
  for (const [name, edge] of COPIES) {
    const { width } = copySize(image, edge);
    if (widths.has(width) || !image.urls[name]) continue;
    widths.add(width);
    parts.push(`${image.urls[name]} ${width}w`);
  }
  return parts.join(", ");
}

export function renderGallery(container, product) {
  const images = product.images || [];
  if (!images.length) {
    container.replaceChildren(imageNode(product));
    return;
  }
  // Only the first main picture loads with the page; the others wait (lazy) until they are shown.
  const mains = images.map((image, i) => el("img", {
    class: "gallery-main", src: image.urls.medium, srcset: srcsetOf(image), sizes: SIZES,
    alt: image.alt || product.name, width: image.width, height: image.height,
    loading: i === 0 ? null : "lazy", fetchpriority: i === 0 ? "high" : null, "data-image-id": image.id, hidden: i > 0 }));
  const stage = el("div", { class: "gallery-stage" }, mains);
  const gallery = el("div", { class: "gallery", id: "gallery", "data-current": "0" }, stage);
  container.replaceChildren(gallery);
  if (images.length < 2) return;

  const thumbs = images.map((image, i) => el("button", {
    type: "button", class: "gallery-thumb", "data-index": i, "aria-pressed": String(i === 0),
    "aria-label": `Show image ${i + 1} of ${images.length}${image.alt ? `: ${image.alt}` : ""}`,
    onclick: () => show(i) },
  el("img", { src: image.urls.thumb, alt: "", loading: "lazy", ...copySize(image, 320) })));

  function show(index) {
    mains.forEach((img, i) => { img.hidden = i !== index; });
    thumbs.forEach((button, i) => button.setAttribute("aria-pressed", String(i === index)));
    gallery.dataset.current = String(index);
  }

  // Arrow keys (and Home/End) move along the thumbnails and show the one reached.
  const row = el("div", { class: "gallery-thumbs", role: "group", "aria-label": "Product images" }, thumbs);
  row.addEventListener("keydown", (event) => {
    const at = thumbs.indexOf(document.activeElement);
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: thumbs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const index = (next + thumbs.length) % thumbs.length;
    thumbs[index].focus();
    show(index);
  });
  gallery.append(row);
}
