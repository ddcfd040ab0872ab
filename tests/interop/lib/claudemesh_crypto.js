'use strict';
// Client-side claudemesh cryptography, written the way the reference SDK
// (packages/sdk/src/crypto.ts) does it with libsodium-wrappers, so that the
// interop tests exercise nexusd with bytes an SDK would really send
// (PROTOCOL.md §2.2, §3.11, §10.1–§10.3). Keys travel as lowercase hex:
// ed25519 public key 32 bytes, secret key 64 bytes (seed ‖ public key).
// nonce and ciphertext are standard base64 with padding (variant ORIGINAL).
//
// Call `await ready()` once before the synchronous helpers.

const sodium = require('libsodium-wrappers');

const HEX_PUBKEY = /^[0-9a-f]{64}$/;

/** Resolves when libsodium is initialised; returns the sodium module. */
async function ready() {
  await sodium.ready;
  return sodium;
}

function b64(bytes) {
  return sodium.to_base64(bytes, sodium.base64_variants.ORIGINAL);
}

function unb64(text) {
  return sodium.from_base64(text, sodium.base64_variants.ORIGINAL);
}

/** ed25519 keypair {publicKey, secretKey} (hex) from a 32-byte seed. */
function keypairFromSeed(seed) {
  const kp = sodium.crypto_sign_seed_keypair(Uint8Array.from(seed));
  return { publicKey: sodium.to_hex(kp.publicKey), secretKey: sodium.to_hex(kp.privateKey) };
}

/** A fresh random ed25519 keypair (what the SDK makes per session). */
function randomKeypair() {
  const kp = sodium.crypto_sign_keypair();
  return { publicKey: sodium.to_hex(kp.publicKey), secretKey: sodium.to_hex(kp.privateKey) };
}

/** §2.2 canonical string; the timestamp renders as JavaScript prints it. */
function helloCanonical(meshId, memberId, pubkey, timestamp) {
  return `${meshId}|${memberId}|${pubkey}|${timestamp}`;
}

/** Detached ed25519 signature (hex) of `text` with a hex secret key. */
function signDetached(text, secretKeyHex) {
  return sodium.to_hex(sodium.crypto_sign_detached(sodium.from_string(text), sodium.from_hex(secretKeyHex)));
}

/** §2.2 hello signature made with the member secret key. */
function signHello(meshId, memberId, pubkey, secretKeyHex, timestamp = Date.now()) {
  return { timestamp, signature: signDetached(helloCanonical(meshId, memberId, pubkey, timestamp), secretKeyHex) };
}

/**
 * The `hello` frame exactly as the SDK builds it (§10.1 step 2): no cwd,
 * hostname, model, groups or protocolVersion; displayName only when given.
 * `member` and `session` are keypairs; `overrides` replaces/adds fields last.
 */
function buildHello({ meshId, memberId, member, session, displayName, sessionId, pid = process.pid,
  peerType = 'connector', channel = 'sdk', timestamp = Date.now() }, overrides = {}) {
  const { signature } = signHello(meshId, memberId, member.publicKey, member.secretKey, timestamp);
  const frame = { type: 'hello', meshId, memberId, pubkey: member.publicKey };
  if (session) frame.sessionPubkey = session.publicKey;
  if (displayName !== undefined) frame.displayName = displayName;
  frame.sessionId = sessionId ?? `sdk-${pid}-${timestamp}`;
  Object.assign(frame, { pid, peerType, channel, timestamp, signature }, overrides);
  return frame;
}

/**
 * crypto_box_easy of UTF-8 `plaintext` from the sender's ed25519 secret key to
 * the recipient's ed25519 public key, both converted to X25519 (§3.11).
 * `nonce` (24 bytes) defaults to random, as in the SDK.
 */
function encryptDirect(plaintext, recipientPubkeyHex, senderSecretKeyHex,
  nonce = sodium.randombytes_buf(sodium.crypto_box_NONCEBYTES)) {
  const recipientX = sodium.crypto_sign_ed25519_pk_to_curve25519(sodium.from_hex(recipientPubkeyHex));
  const senderX = sodium.crypto_sign_ed25519_sk_to_curve25519(sodium.from_hex(senderSecretKeyHex));
  const ct = sodium.crypto_box_easy(sodium.from_string(plaintext), Uint8Array.from(nonce), recipientX, senderX);
  return { nonce: b64(Uint8Array.from(nonce)), ciphertext: b64(ct) };
}

/** crypto_box_open_easy of {nonce, ciphertext}; the plaintext, or null. */
function decryptDirect({ nonce, ciphertext }, senderPubkeyHex, recipientSecretKeyHex) {
  try {
    const senderX = sodium.crypto_sign_ed25519_pk_to_curve25519(sodium.from_hex(senderPubkeyHex));
    const recipientX = sodium.crypto_sign_ed25519_sk_to_curve25519(sodium.from_hex(recipientSecretKeyHex));
    const plain = sodium.crypto_box_open_easy(unb64(ciphertext), unb64(nonce), senderX, recipientX);
    return sodium.to_string(plain);
  } catch {
    return null;
  }
}

/** Broadcast/group/topic v1 envelope (§3.11): base64 plaintext, random nonce. */
function encodePlain(plaintext) {
  return { nonce: b64(sodium.randombytes_buf(sodium.crypto_box_NONCEBYTES)), ciphertext: b64(sodium.from_string(plaintext)) };
}

function base64Utf8(text) {
  try {
    return Buffer.from(unb64(text)).toString('utf8');
  } catch {
    return null;
  }
}

// §10.3 step 4: printable ASCII, whitespace or code points >= U+00A0.
function looksLikeText(s) {
  return s.length > 0 && /^[\x20-\x7e\s\u00a0-\u{10ffff}]*$/u.test(s);
}

/**
 * The plaintext the SDK would emit for a `push` frame (§10.3 steps 1–4),
 * decrypting with the receiver's own session secret key; null if none.
 */
function decodePush(push, ownSecretKeyHex) {
  const nonce = push.nonce ?? '';
  const ciphertext = push.ciphertext ?? '';
  const sender = push.senderPubkey ?? '';
  let plaintext = null;
  if (nonce && ciphertext && sender)
    plaintext = decryptDirect({ nonce, ciphertext }, sender, ownSecretKeyHex);
  if (plaintext === null && !sender && ciphertext) plaintext = base64Utf8(ciphertext);
  if (plaintext === null && ciphertext) {
    const decoded = base64Utf8(ciphertext);
    if (decoded !== null && looksLikeText(decoded)) plaintext = decoded;
  }
  return plaintext;
}

/** 16 random hex chars, the SDK's `send` id (§10.2 step 2). */
function randomSendId() {
  return sodium.to_hex(sodium.randombytes_buf(8));
}

module.exports = {
  ready, keypairFromSeed, randomKeypair, helloCanonical, signDetached, signHello, buildHello,
  encryptDirect, decryptDirect, encodePlain, decodePush, randomSendId, isDirectTarget: (t) => HEX_PUBKEY.test(t),
  toBase64: b64, fromBase64: unb64,
};
