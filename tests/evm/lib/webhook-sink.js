'use strict';
// An HTTP endpoint on 127.0.0.1 that records the JSON bodies POSTed to it (alert webhooks).
const http = require('node:http');

function startWebhookSink() {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      try { received.push(JSON.parse(body)); } catch (_) { received.push({ unparsable: body }); }
      res.writeHead(204);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/hook`,
    received,
    close: () => server.close(),
  })));
}

module.exports = { startWebhookSink };
