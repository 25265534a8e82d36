// The lexkb extension: starts `lexkb lsp` (the command is the setting lexkb.command) for .rules
// and .case files; every feature comes from the server, so this file only connects the two.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("lexkb").get("command", ["lexkb", "lsp"]);
  const server = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient("lexkb", "lexkb", server, {
    documentSelector: [{ scheme: "file", language: "lexkb" }],
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
