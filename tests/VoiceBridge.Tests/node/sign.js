// Prints the reference Twilio signature: node sign.js <authToken> <url> '<params as a JSON object>'
const { getExpectedTwilioSignature } = require("twilio");

const [token, url, params] = process.argv.slice(2);
process.stdout.write(getExpectedTwilioSignature(token, url, JSON.parse(params ?? "{}")) + "\n");
