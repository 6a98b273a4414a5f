// The io scenario's service: a keep-alive HTTP server in a child process on 127.0.0.1, and the tool that calls it.
import { spawn } from 'node:child_process';
import * as http from 'node:http';

/** Starts the server; `fetchObservation` makes one GET over a one-socket keep-alive agent and parses the JSON. */
export async function startObservationServer() {
  const server = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => r.end('{"id":"obs-77","status":"ok","count":5}')); });
       s.keepAliveTimeout = 60000; s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise((resolve, reject) => {
    server.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
    server.once('error', reject);
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const fetchObservation = (input) =>
    new Promise((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, path: `/observations/${input.patientId}`, method: 'GET', agent },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => {
            body += chunk;
          });
          response.on('end', () => resolve(JSON.parse(body)));
        },
      );
      request.on('error', reject);
      request.end();
    });
  return {
    fetchObservation,
    stop: () => {
      agent.destroy();
      server.kill();
    },
  };
}
