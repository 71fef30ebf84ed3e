#!/usr/bin/env node
// `npm run watch`: prints every message under lockers/# with the demo's operator account
// (or the account given by --url/--user/--password), one line each, retained ones marked.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    topic: { type: 'string', default: 'lockers/#' },
  },
});
const demo = existsSync('.demo/operator.json') ? JSON.parse(readFileSync('.demo/operator.json', 'utf8')) : {};
const url = values.url ?? demo.url ?? 'mqtt://127.0.0.1:1883';
const client = mqtt.connect(url, {
  username: values.user ?? demo.username,
  password: values.password ?? demo.password,
  protocolVersion: 4,
});
client.on('connect', () => {
  console.error(`watching ${values.topic} on ${url}`);
  client.subscribe(values.topic, { qos: 1 });
});
client.on('error', (err) => console.error(`watch: ${err.message}`));
client.on('message', (topic, payload, packet) => {
  const time = new Date().toISOString().slice(11, 23);
  console.log(`${time} ${packet.retain ? 'R' : ' '} ${topic} ${payload.toString('utf8')}`);
});
process.on('SIGINT', () => client.end(false, () => process.exit(0)));
