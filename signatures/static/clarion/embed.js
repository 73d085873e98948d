/*
 * Clarion's embeddable action form. Paste on any page:
 *
 *   <script src="https://campaigns.example.org/static/clarion/embed.js" data-campaign="42" async></script>
 *
 * It renders the campaign's form (as set up by its editors) and counter where the tag
 * stands, and submits through the JSON API. Optional attributes: data-api (the API's base
 * URL, when the script is served from elsewhere), data-language (one of the campaign's
 * translations, by language code, e.g. "fr"; data-campaign may also be a translation's id),
 * data-target (a CSS selector of the
 * element to render into), data-unavailable (what to say, in the page's language, if the
 * campaign cannot be loaded: the API's translated wording comes with the campaign). No
 * framework, no cookies; the page's own fonts and colours apply. The campaign's statistics
 * count the form's view, and each action says where it came from: the host page's utm tags
 * and the domain of the page that led to it (the host site itself is known to the server).
 */
(function () {
  "use strict";

  var STYLE_ID = "clarion-embed-style";
  var CSS =
    ".clarion-embed{font:inherit;color:inherit;max-width:40rem}" +
    ".clarion-embed *{box-sizing:border-box;font:inherit;color:inherit}" +
    ".clarion-embed h2{font-size:1.4em;font-weight:bold;margin:0 0 .5em}" +
    ".clarion-embed .clarion-counter strong{font-size:1.3em}" +
    ".clarion-embed .clarion-field{margin:0 0 .9em}" +
    ".clarion-embed label{display:block;font-weight:bold;margin-bottom:.2em}" +
    ".clarion-embed .clarion-check label{display:inline;font-weight:normal}" +
    ".clarion-embed input:not([type=checkbox]),.clarion-embed select,.clarion-embed textarea" +
    "{display:block;width:100%;padding:.45em;border:1px solid #6b6b6b;border-radius:3px;background:#fff;color:#111}" +
    ".clarion-embed input[aria-invalid=true],.clarion-embed select[aria-invalid=true]," +
    ".clarion-embed textarea[aria-invalid=true]{border:2px solid #b00020}" +
    ".clarion-embed .clarion-error{color:#b00020;margin:.2em 0 0;font-weight:bold}" +
    ".clarion-embed .clarion-help{margin:.2em 0 0;font-size:.9em}" +
    ".clarion-embed button{padding:.6em 1.2em;border:0;border-radius:3px;background:#1a1a1a;color:#fff;cursor:pointer}" +
    ".clarion-embed button[disabled]{opacity:.6;cursor:wait}" +
    ".clarion-embed .clarion-status:empty{display:none}" +
    ".clarion-embed .clarion-status{margin:.8em 0;font-weight:bold}" +
    ".clarion-embed .clarion-privacy{font-size:.9em}";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === true) node.setAttribute(name, "");
      else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function addStyle() {
    if (document.getElementById(STYLE_ID)) return;
    var style = el("style", { id: STYLE_ID }, CSS);
    document.head.appendChild(style);
  }

  function requestJSON(url, options) {
    options = options || {};
    options.credentials = "omit";
    options.headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    return fetch(url, options).then(function (response) {
      return response
        .json()
        .catch(function () { return {}; })
        .then(function (body) { return { status: response.status, body: body }; });
    });
  }

  // Where the supporter came from, as the campaign page's own form carries it.
  function landingSources() {
    var query = new URLSearchParams(location.search);
    var found = { referrer: "" };
    ["utm_source", "utm_medium", "utm_campaign"].forEach(function (name) {
      found[name] = query.get(name) || "";
    });
    try {
      if (document.referrer) found.referrer = new URL(document.referrer).hostname;
    } catch (error) { /* none */ }
    return found;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function Embed(script, index) {
    this.script = script;
    this.campaign = script.getAttribute("data-campaign");
    // Which translation: data-campaign may be any translation's id, data-language picks one
    // of its translations by language code (the campaign's own if it has none in it).
    this.wanted = script.getAttribute("data-language");
    var base = script.getAttribute("data-api") || new URL("/api/v3/", script.src).href;
    this.unavailable = script.getAttribute("data-unavailable") || "This campaign could not be loaded.";
    this.api = base.replace(/\/?$/, "/");
    this.prefix = "clarion-" + this.campaign + "-" + index + "-";
    var target = script.getAttribute("data-target");
    this.root = el("section", { class: "clarion-embed", "aria-busy": "true" });
    var host = target && document.querySelector(target);
    if (host) host.appendChild(this.root);
    else script.parentNode.insertBefore(this.root, script.nextSibling);
  }

  Embed.prototype.load = function () {
    var self = this;
    return requestJSON(this.api + "campaigns/" + encodeURIComponent(this.campaign) + "/")
      .then(function (result) {
        if (result.status !== 200) throw new Error("campaign " + result.status);
        var other = (result.body.translations || []).filter(function (translation) {
          return self.wanted && translation.locale === self.wanted && result.body.locale !== self.wanted;
        })[0];
        if (!other) return result;
        self.campaign = String(other.id); // its form, counter route and actions from here on
        return requestJSON(self.api + "campaigns/" + encodeURIComponent(self.campaign) + "/");
      })
      .then(function (result) {
        if (result.status !== 200) throw new Error("campaign " + result.status);
        self.render(result.body);
      })
      .catch(function () {
        self.root.removeAttribute("aria-busy");
        self.root.textContent = "";
        self.root.appendChild(el("p", { role: "alert" }, self.unavailable));
      });
  };

  Embed.prototype.render = function (campaign) {
    var setup = campaign.action.form;
    this.campaignData = campaign;
    this.texts = setup.texts;
    var root = this.root;
    root.textContent = "";
    root.removeAttribute("aria-busy");
    // The campaign's language and direction, which may not be the host page's.
    this.language = campaign.meta.language;
    root.setAttribute("lang", campaign.meta.language);
    root.setAttribute("dir", campaign.meta.direction);
    var headingId = this.prefix + "ask";
    root.setAttribute("aria-labelledby", headingId);
    root.appendChild(el("h2", { id: headingId }, campaign.action.ask || campaign.title));
    this.counter = el("p", { class: "clarion-counter", "aria-live": "polite" });
    root.appendChild(this.counter);
    this.showCounter(campaign.counter);

    if (!campaign.state.is_open) {
      root.appendChild(el("p", { class: "clarion-closed" }, campaign.state.closed_message || this.texts.closed));
      return;
    }
    var form = el("form", { class: "clarion-form", novalidate: true, action: setup.action_url, method: "post" });
    this.form = form;
    this.fields = {};
    var self = this;
    setup.fields.forEach(function (field) { form.appendChild(self.renderField(field)); });
    if (setup.privacy_note) {
      var privacy = el("div", { class: "clarion-privacy" });
      privacy.innerHTML = setup.privacy_note; // the organisation's own rich text, sanitised by Wagtail
      form.appendChild(privacy);
    }
    this.button = el("button", { type: "submit" }, setup.button_label);
    form.appendChild(this.button);
    this.status = el("p", { class: "clarion-status", role: "status", "aria-live": "polite" });
    form.appendChild(this.status);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit();
    });
    root.appendChild(form);
    this.countView();
  };

  Embed.prototype.countView = function () {
    if (!navigator.sendBeacon) return;
    var url = new URL("/act/" + encodeURIComponent(this.campaign) + "/view/", this.api);
    navigator.sendBeacon(url.href, new URLSearchParams(landingSources()));
  };

  Embed.prototype.renderField = function (field) {
    var id = this.prefix + field.name;
    var wrapper = el("div", { class: "clarion-field" + (field.type === "checkbox" ? " clarion-check" : "") });
    var describedBy = [];
    var input;
    if (field.type === "select") {
      input = el("select", { id: id, name: field.name });
      (field.choices || []).forEach(function (choice) {
        input.appendChild(el("option", { value: choice.value, selected: choice.value === field.initial }, choice.label));
      });
    } else if (field.type === "textarea") {
      input = el("textarea", { id: id, name: field.name, rows: field.name === "letter_body" ? 10 : 3, maxlength: field.max_length });
      input.value = typeof field.initial === "string" ? field.initial : "";
    } else {
      input = el("input", { id: id, name: field.name, type: field.type, maxlength: field.max_length });
      if (field.type === "checkbox") input.checked = field.initial === true;
      else if (typeof field.initial === "string") input.value = field.initial;
    }
    if (field.autocomplete) input.setAttribute("autocomplete", field.autocomplete);
    if (field.required) {
      input.required = true;
      input.setAttribute("aria-required", "true");
    }
    var label = el("label", { for: id }, field.label);
    if (field.required) {
      label.appendChild(document.createTextNode(" "));
      label.appendChild(el("span", { class: "clarion-required" }, "(" + this.texts.required + ")"));
    }
    var help = null;
    if (field.help_text) {
      help = el("p", { id: id + "-help", class: "clarion-help" }, field.help_text);
      describedBy.push(help.id);
    }
    var error = el("p", { id: id + "-error", class: "clarion-error", hidden: true });
    describedBy.push(error.id);
    input.setAttribute("aria-describedby", describedBy.join(" "));
    if (field.type === "hidden") {
      wrapper.hidden = true;
      wrapper.appendChild(input);
    } else if (field.type === "checkbox") {
      wrapper.appendChild(input);
      wrapper.appendChild(document.createTextNode(" "));
      wrapper.appendChild(label);
    } else {
      wrapper.appendChild(label);
      wrapper.appendChild(input);
    }
    if (help) wrapper.appendChild(help);
    wrapper.appendChild(error);
    this.fields[field.name] = { input: input, error: error, type: field.type };
    return wrapper;
  };

  Embed.prototype.showCounter = function (counter) {
    var text = format(this.texts.counter, { count: "\u0000" });
    var parts = text.split("\u0000");
    this.counter.textContent = "";
    this.counter.appendChild(document.createTextNode(parts[0] || ""));
    this.counter.appendChild(el("strong", { class: "clarion-count" }, counter.count.toLocaleString(this.language)));
    this.counter.appendChild(document.createTextNode(parts[1] || ""));
  };

  Embed.prototype.refreshCounter = function () {
    var self = this;
    var url = this.api + "campaigns/" + encodeURIComponent(this.campaign) + "/counter/";
    // After the supporter's own action: ask the server, not the browser's 5-second copy.
    return requestJSON(url, { cache: "no-cache" }).then(function (result) {
      if (result.status === 200) self.showCounter(result.body);
    });
  };

  Embed.prototype.values = function () {
    var data = {};
    var fields = this.fields;
    Object.keys(fields).forEach(function (name) {
      var field = fields[name];
      data[name] = field.type === "checkbox" ? field.input.checked : field.input.value;
    });
    return data;
  };

  Embed.prototype.clearErrors = function () {
    var fields = this.fields;
    Object.keys(fields).forEach(function (name) {
      fields[name].error.textContent = "";
      fields[name].error.hidden = true;
      fields[name].input.removeAttribute("aria-invalid");
    });
    this.status.textContent = "";
  };

  Embed.prototype.showErrors = function (body) {
    var self = this;
    var first = null;
    var general = [];
    (body.errors || []).forEach(function (error) {
      var loc = error.loc || [];
      var field = self.fields[loc[loc.length - 1]];
      if (field) {
        field.error.textContent = (field.error.textContent ? field.error.textContent + " " : "") + error.msg;
        field.error.hidden = false;
        field.input.setAttribute("aria-invalid", "true");
        first = first || field.input;
      } else {
        general.push(error.msg);
      }
    });
    // Errors about the whole form are said with or without field errors beside them.
    var summary = first ? [this.texts.invalid].concat(general) : general;
    this.status.textContent = summary.join(" ") || body.detail || this.texts.failed;
    if (first) first.focus();
  };

  Embed.prototype.submit = function () {
    var self = this;
    this.clearErrors();
    this.button.disabled = true;
    this.status.textContent = this.texts.sending;
    return requestJSON(this.form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign(landingSources(), this.values())),
    })
      .then(function (result) {
        if (result.status === 202) return self.thank(result.body);
        if (result.status >= 500 && !(result.body && result.body.detail)) {
          // The server failed without saying why: not the supporter's connection.
          self.status.textContent = self.texts.error || self.texts.failed;
          return;
        }
        self.showErrors(result.body || {});
      })
      .catch(function () {
        self.status.textContent = self.texts.failed;
      })
      .then(function () {
        if (self.button) self.button.disabled = false;
      });
  };

  Embed.prototype.thank = function (body) {
    var thanks = this.campaignData.thank_you;
    var panel = el("div", { class: "clarion-thanks", tabindex: "-1", role: "status" });
    panel.appendChild(el("p", {}, body.message || thanks.message));
    if (body.confirmation_required) panel.appendChild(el("p", { class: "clarion-confirm" }, this.texts.confirm));
    if (thanks.next_step) {
      panel.appendChild(el("a", { href: thanks.next_step.url, class: "clarion-next" }, thanks.next_step.label));
    }
    this.form.replaceWith(panel);
    this.form = this.button = null;
    panel.focus();
    return this.refreshCounter();
  };

  function start() {
    addStyle();
    var scripts = document.querySelectorAll("script[data-campaign]");
    Array.prototype.forEach.call(scripts, function (script, index) {
      if (script.getAttribute("data-clarion-ready") || !/embed\.js(\?|$)/.test(script.src)) return;
      script.setAttribute("data-clarion-ready", "true");
      new Embed(script, index).load();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
