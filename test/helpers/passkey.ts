import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

/**
 * A software authenticator, as a browser and a platform authenticator would answer: ES256
 * (ECDSA P-256) keys, attestation 'none', user presence and verification flagged. It answers
 * only for the origin and rp id it is made with, like a browser.
 */
export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(16);
  #key: KeyObject;
  #publicJwk: { x: string; y: string };
  #counter = 0;
  readonly origin: string;
  readonly rpId: string;
  userHandle = '';

  constructor(origin: string, rpId: string) {
    this.origin = origin;
    this.rpId = rpId;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#key = privateKey;
    this.#publicJwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  }

  get id(): string {
    return this.credentialId.toString('base64url');
  }

  /** navigator.credentials.create() */
  register(options: PublicKeyCredentialCreationOptionsJSON): RegistrationResponseJSON {
    this.userHandle = options.user.id;
    const cose = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(this.#publicJwk.x, 'base64url')],
      [-3, Buffer.from(this.#publicJwk.y, 'base64url')],
    ]);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), length, this.credentialId, Buffer.from(isoCBOR.encode(cose))]);
    const authData = Buffer.concat([this.#authData(UP | UV | AT), attested]);
    const attestationObject = isoCBOR.encode(new Map<string, Uint8Array | string | Map<string, string>>([['fmt', 'none'], ['attStmt', new Map<string, string>()], ['authData', authData]]));
    return this.#credential({
      clientDataJSON: this.#clientData('webauthn.create', options.challenge).toString('base64url'),
      attestationObject: Buffer.from(attestationObject).toString('base64url'),
      transports: ['internal'],
    });
  }

  /** navigator.credentials.get() */
  authenticate(options: PublicKeyCredentialRequestOptionsJSON, flags = UP | UV): AuthenticationResponseJSON {
    const authData = this.#authData(flags);
    const clientData = this.#clientData('webauthn.get', options.challenge);
    const signature = createSign('sha256').update(Buffer.concat([authData, createHash('sha256').update(clientData).digest()])).sign(this.#key);
    return this.#credential({
      clientDataJSON: clientData.toString('base64url'),
      authenticatorData: authData.toString('base64url'),
      signature: signature.toString('base64url'),
      userHandle: this.userHandle,
    });
  }

  /** The PublicKeyCredential as JSON, the way a browser library hands it to the server. */
  #credential<Response>(response: Response): { id: string; rawId: string; type: 'public-key'; clientExtensionResults: Record<string, never>; response: Response } {
    return { id: this.id, rawId: this.id, type: 'public-key', clientExtensionResults: {}, response };
  }

  #authData(flags: number): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(++this.#counter);
    return Buffer.concat([createHash('sha256').update(this.rpId).digest(), Buffer.from([flags]), counter]);
  }

  #clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }
}
