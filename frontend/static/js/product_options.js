// Product page, products with variants: one picker per option (the API's option and value order).
// The chosen values name at most one variant; the page shows its price and stock and lets it be added.
import { el } from "./api.js";

function matches(variant, chosen) {
  return Object.entries(chosen).every(([name, value]) => variant.options[name] === value);
}

// The variant that the chosen values name, once every option has a value; null while any is missing.
export function chosenVariant(product, chosen) {
  if (product.options.some((o) => !(o.name in chosen))) return null;
  return product.variants.find((v) => matches(v, chosen)) || null;
}

// Whether picking value for name (keeping the other choices) can lead to a variant in stock.
function canBuy(product, chosen, name, value) {
  const wanted = { ...chosen, [name]: value };
  return product.variants.some((v) => v.in_stock && matches(v, wanted));
}

// The cheapest variant price (sale price where there is one), for "From ..." before a full choice.
export function lowestPrice(product) {
  const prices = product.variants.map((v) => Number(v.sale_price ?? v.price));
  const lowest = product.variants[prices.indexOf(Math.min(...prices))];
  return { price: lowest.price, sale_price: lowest.sale_price, currency: product.currency,
    varies: new Set(prices).size > 1 };
}

function startingChoice(product, variantId) {
  const start = product.variants.find((v) => v.id === variantId);
  if (start) return { ...start.options };
  // An option with one value leaves nothing to choose.
  return Object.fromEntries(product.options.filter((o) => o.values.length === 1).map((o) => [o.name, o.values[0]]));
}

// Draws the pickers into container and calls onChange({variant, complete, missing}) now and after each pick.
// Returns a function answering the current variant (or null).
export function mountOptions(container, product, onChange, variantId = null) {
  const chosen = startingChoice(product, variantId);

  function valueButton(option, value) {
    const buyable = canBuy(product, chosen, option.name, value);
    const picked = chosen[option.name] === value;
    return el("button", { type: "button", class: `option-value${buyable ? "" : " unavailable"}`,
      "data-value": value, "aria-pressed": String(picked), "data-available": String(buyable),
      title: buyable ? null : "Not available with your other choices",
      onclick: () => { chosen[option.name] = value; draw(); } },
    value, buyable ? null : el("span", { class: "visually-hidden" }, " (unavailable)"));
  }

  function draw() {
    container.replaceChildren(...product.options.map((option) => el("fieldset", { class: "option-picker", "data-option": option.name },
      el("legend", {}, option.name, chosen[option.name] ? el("span", { class: "chosen" }, `: ${chosen[option.name]}`) : null),
      el("div", { class: "option-values" }, option.values.map((value) => valueButton(option, value))))));
    const missing = product.options.filter((o) => !(o.name in chosen)).map((o) => o.name);
    onChange({ variant: chosenVariant(product, chosen), complete: missing.length === 0, missing });
  }

  container.hidden = false;
  draw();
  return () => chosenVariant(product, chosen);
}
