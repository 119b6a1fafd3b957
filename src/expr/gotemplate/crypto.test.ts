// sprig's crypto functions against its crypto_test.go and golang.org/x/crypto's bcrypt_test.go:
// fixed vectors where the output is deterministic, structural checks (with node's X.509
// parser) where it is random.

import { createCipheriv, createPrivateKey, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bcryptHash } from "./bcrypt.js";
import { compileGoTemplate, GoTemplateError } from "./index.js";

const render = (src: string, data: unknown = {}): string => compileGoTemplate(src).render(data);
const b64 = (s: string): string => Buffer.from(s).toString("base64");

const BCRYPT64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const STD64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** The 16 salt bytes of a "$2a$10$<22 salt chars><31 hash chars>" hash. */
function saltOf(hash: string): Buffer {
  const std = [...hash.slice(7, 29)].map((c) => STD64[BCRYPT64.indexOf(c)]).join("");
  return Buffer.from(std + "==", "base64");
}
/** bcrypt.CompareHashAndPassword, for a cost-10 $2a$ hash. */
const bcryptMatches = (hash: string, password: string): boolean => bcryptHash(Buffer.from(password), 10, saltOf(hash)) === hash;

describe("bcrypt", () => {
  const salt = Buffer.from([101, 201, 101, 75, 19, 227, 199, 20, 239, 236, 133, 32, 30, 109, 243, 30]);

  it("TestBcryptingIsCorrect and TestTooLongPasswordsWork (x/crypto/bcrypt)", () => {
    expect(bcryptHash(Buffer.from("allmine"), 10, salt)).toBe("$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga");
    expect(bcryptHash(Buffer.from("012345678901234567890123456789012345678901234567890123456"), 10, salt)).toBe(
      "$2a$10$XajjQvNhvvRt5GSeFk1xFe5l47dONXg781AmZtd869sO8zfsHuw7C",
    );
  });

  it("TestBcrypt: a cost-10 hash of the input with a fresh salt", () => {
    const hash = render('{{ "abc" | bcrypt }}');
    expect(hash).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(bcryptMatches(hash, "abc")).toBe(true);
    expect(bcryptMatches(hash, "abd")).toBe(false);
    expect(render('{{ "abc" | bcrypt }}')).not.toBe(hash);
  });

  it("TestPasswordTooLong: sprig returns the error as text", () => {
    expect(render("{{ bcrypt .p }}", { p: "x".repeat(73) })).toBe("failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes");
  });
});

describe("htpasswd", () => {
  it("TestHtpasswd: bcrypt by default, {SHA} on request, no ':' in the user", () => {
    const [user, hash] = render('{{ htpasswd "myUser" "myPassword" "bcrypt" }}').split(/:(.*)/s);
    expect(user).toBe("myUser");
    expect(bcryptMatches(hash, "myPassword")).toBe(true);
    expect(render('{{ htpasswd "myUser" "password" "sha" }}')).toBe("myUser:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=");
    expect(render('{{ htpasswd "wrongus:er" "doesn\'tmatter" "sha" }}')).toBe("invalid username: wrongus:er");
  });

  it("takes the algorithm only as a constant, as sprig.HashAlgorithm is a named type", () => {
    expect(() => render("{{ htpasswd .u .p .a }}", { u: "u", p: "p", a: "sha" })).toThrow("wrong type for value; expected sprig.HashAlgorithm; got string");
  });
});

describe("derivePassword", () => {
  it.each([
    // sprig's TestDerivePassword
    ['{{derivePassword 1 "long" "password" "user" "example.com"}}', "ZedaFaxcZaso9*"],
    ['{{derivePassword 2 "long" "password" "user" "example.com"}}', "Fovi2@JifpTupx"],
    ['{{derivePassword 1 "maximum" "password" "user" "example.com"}}', "pf4zS1LjCg&LjhsZ7T2~"],
    ['{{derivePassword 1 "medium" "password" "user" "example.com"}}', "ZedJuz8$"],
    ['{{derivePassword 1 "basic" "password" "user" "example.com"}}', "pIS54PLs"],
    ['{{derivePassword 1 "short" "password" "user" "example.com"}}', "Zed5"],
    ['{{derivePassword 1 "pin" "password" "user" "example.com"}}', "6685"],
    ['{{derivePassword 1 "nope" "password" "user" "example.com"}}', "cannot find password template nope"],
  ])("%s", (src, want) => {
    expect(render(src)).toBe(want);
  });

  it("takes the counter only as a constant (its parameter is a uint32)", () => {
    expect(() => render('{{ derivePassword .n "pin" "p" "u" "s" }}', { n: 1 })).toThrow("wrong type for value; expected uint32; got float64");
    expect(() => render('{{ derivePassword -1 "pin" "p" "u" "s" }}')).toThrow("expected unsigned integer; found -1");
  });
});

describe("encryptAES and decryptAES", () => {
  it("TestEncryptDecryptAES", () => {
    expect(render('{{ "plaintext" | encryptAES "secretkey" | decryptAES "secretkey" }}')).toBe("plaintext");
    expect(render('{{ "" | encryptAES "k" }}|{{ "" | decryptAES "k" }}')).toBe("|");
  });

  it("is AES-256-CBC, the password zero-padded to 32 bytes, the IV in front, PKCS#7 padding", () => {
    const key = Buffer.alloc(32);
    Buffer.from("secretkey").copy(key);
    const iv = Buffer.alloc(16, 7);
    const c = createCipheriv("aes-256-cbc", key, iv);
    const crypt = Buffer.concat([iv, c.update("hello, world"), c.final()]).toString("base64");
    expect(render("{{ decryptAES .k .c }}", { k: "secretkey", c: crypt })).toBe("hello, world");
    const out = Buffer.from(render('{{ encryptAES "secretkey" "sixteen bytes!!!" }}'), "base64");
    expect(out.length).toBe(16 + 32);
  });

  it.each([
    ['{{ decryptAES "k" "%%%" }}', "illegal base64 data at input byte 0"],
    ['{{ decryptAES "k" "AAAA" }}', "runtime error: slice bounds out of range [:16] with capacity 3"],
    [`{{ decryptAES "k" "${Buffer.alloc(20).toString("base64")}" }}`, "crypto/cipher: input not full blocks"],
    [`{{ decryptAES "k" "${Buffer.alloc(16).toString("base64")}" }}`, "runtime error: index out of range [-1]"],
  ])("%s fails as Go does: %s", (src, message) => {
    expect(() => render(src)).toThrow(`error calling decryptAES: ${message}`);
  });
});

describe("randBytes", () => {
  it("TestRandBytes", () => {
    const out = render("{{ randBytes 12 }}");
    expect(Buffer.from(out, "base64").length).toBe(12);
    expect(render("{{ randBytes 12 }}")).not.toBe(out);
    expect(render("{{ randBytes 0 }}")).toBe("");
    expect(() => render("{{ randBytes -1 }}")).toThrow("runtime error: makeslice: len out of range");
  });
});

describe("genPrivateKey", () => {
  it.each([
    // sprig's TestGenPrivateKey ("" and "rsa" both make a 4096-bit RSA key; one is enough here)
    ['{{ genPrivateKey "" }}', "-----BEGIN RSA PRIVATE KEY-----\n"],
    ['{{ genPrivateKey "dsa" }}', "-----BEGIN DSA PRIVATE KEY-----\n"],
    ['{{ genPrivateKey "ecdsa" }}', "-----BEGIN EC PRIVATE KEY-----\n"],
    ['{{ genPrivateKey "ed25519" }}', "-----BEGIN PRIVATE KEY-----\n"],
  ])("%s", (src, begin) => {
    const pem = render(src);
    expect(pem.startsWith(begin)).toBe(true);
    expect(pem.endsWith("-----\n")).toBe(true);
  }, 30_000);

  it("an unknown type gives sprig's message", () => {
    expect(render('{{ genPrivateKey "bad" }}')).toBe("Unknown type bad");
  });

  it("a template may only generate a few slow keys", () => {
    expect(() => render('{{ genPrivateKey "rsa" }}{{ genPrivateKey "rsa" }}{{ genPrivateKey "dsa" }}{{ genPrivateKey "rsa" }}')).toThrow(
      /exceeded its budget of 1000000 steps \(genPrivateKey is costly\)/,
    );
  }, 30_000);
});

describe("certificates", () => {
  const parse = (pem: string): X509Certificate => new X509Certificate(pem);

  it.each([["genCA", '{{ $ca := genCA "foo-ca" 365 }}'], ...["ecdsa", "ed25519"].map((k) => [`genCAWithKey ${k}`, `{{ $ca := genPrivateKey "${k}" | genCAWithKey "foo-ca" 365 }}`])])(
    "TestGenCA / TestGenCAWithKey: %s",
    (_name, make) => {
      const cert = parse(render(`${make}{{ $ca.Cert }}`));
      expect(cert.subject).toBe("CN=foo-ca");
      expect(cert.issuer).toBe("CN=foo-ca");
      expect(cert.ca).toBe(true);
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]); // node lists the extended key usage
    },
  );

  it.each([
    ["genSelfSignedCert", '{{ $cert := genSelfSignedCert "foo.com" (list "10.0.0.1" "10.0.0.2") (list "bar.com" "bat.com") 365 }}'],
    ["genSelfSignedCertWithKey", '{{ $cert := genPrivateKey "ecdsa" | genSelfSignedCertWithKey "foo.com" (list "10.0.0.1" "10.0.0.2") (list "bar.com" "bat.com") 365 }}'],
  ])("TestGenSelfSignedCert: %s", (_name, make) => {
    const out = render(`${make}{{ $cert.Cert }}{{ $cert.Key }}`);
    const cert = parse(out);
    expect(cert.subject).toBe("CN=foo.com");
    expect(cert.subjectAltName).toBe("DNS:bar.com, DNS:bat.com, IP Address:10.0.0.1, IP Address:10.0.0.2");
    expect(cert.ca).toBe(false);
    expect(BigInt("0x" + cert.serialNumber) > 0n).toBe(true);
    const key = out.slice(out.indexOf("-----END CERTIFICATE-----\n") + 26);
    expect(cert.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()).toBe(365 * 86_400_000);
  });

  it.each(
    [null, "ecdsa", "ed25519"].flatMap((ca) => [null, "ecdsa", "ed25519"].map((leaf) => [ca ?? "rsa", leaf ?? "rsa"] as const)),
  )("TestGenSignedCert / TestGenSignedCertWithKey: CA %s, leaf %s", (caAlgo, leafAlgo) => {
    const genCA = caAlgo === "rsa" ? 'genCA "foo" 365' : `genPrivateKey "${caAlgo}" | genCAWithKey "foo" 365`;
    const genCert = leafAlgo === "rsa" ? "genSignedCert" : `genPrivateKey "${leafAlgo}" | genSignedCertWithKey`;
    const [caPem, certPem] = render(
      `{{ $ca := ${genCA} }}{{ $cert := ${genCert} "foo.com" (list "10.0.0.1" "10.0.0.2") (list "bar.com" "bat.com") 365 $ca }}{{ $ca.Cert }}|{{ $cert.Cert }}`,
    ).split("|");
    const ca = parse(caPem);
    const cert = parse(certPem);
    expect(cert.subject).toBe("CN=foo.com");
    expect(cert.issuer).toBe("CN=foo");
    expect(cert.subjectAltName).toBe("DNS:bar.com, DNS:bat.com, IP Address:10.0.0.1, IP Address:10.0.0.2");
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
  });

  it("TestBuildCustomCert: takes a base64 certificate and key as they are", () => {
    const [cert, key] = render('{{ $ca := genPrivateKey "ecdsa" | genCAWithKey "example.com" 365 }}{{ $ca.Cert }}|{{ $ca.Key }}').split("|");
    expect(render("{{ $ca := buildCustomCert .c .k }}{{ $ca.Cert }}", { c: b64(cert), k: b64(key) })).toBe(cert);
    expect(render("{{ (buildCustomCert .c .k).Key }}", { c: b64(cert), k: b64(key) })).toBe(key);
    expect(() => render("{{ buildCustomCert .c .k }}", { c: b64("fail"), k: b64(key) })).toThrow("unable to decode certificate");
    expect(() => render("{{ buildCustomCert .c .k }}", { c: "!", k: b64(key) })).toThrow("unable to decode base64 certificate");
    expect(() => render("{{ buildCustomCert .c .k }}", { c: b64(cert), k: b64("none") })).toThrow("error parsing private key: no PEM data in input");
  });

  it("the certificate struct prints, marshals and compares as Go's", () => {
    const out = render('{{ $c := genPrivateKey "ed25519" | genCAWithKey "x" 1 }}{{ typeOf $c }} {{ kindOf $c }} {{ eq $c $c }} {{ keys (fromJson (toJson $c)) }}');
    expect(out).toBe("sprig.certificate struct true [Cert Key]");
  });

  it.each([
    ['{{ genSelfSignedCert "x" (list "10.0.0") nil 1 }}', "error parsing ip: 10.0.0"],
    ['{{ genSelfSignedCert "x" (list 1) nil 1 }}', "error parsing ip: 1 is not a string"],
    ['{{ genSelfSignedCert "x" nil (list true) 1 }}', "error processing alternate dns name: true is not a string"],
    ['{{ genSelfSignedCert "x" "10.0.0.1" nil 1 }}', 'can\'t handle "10.0.0.1" for arg of type []interface {}'],
    ['{{ genSelfSignedCert "x" .Input nil 1 }}', "wrong type for value; expected []interface {}; got map[string]interface {}"],
    ['{{ genSignedCert "x" nil nil 1 (dict) }}', "wrong type for value; expected sprig.certificate; got map[string]interface {}"],
    ['{{ genPrivateKey "dsa" | genCAWithKey "x" 1 }}', "error creating certificate: x509: certificate private key does not implement crypto.Signer"],
    ['{{ genCAWithKey "x" 1 "nope" }}', "parsing private key: no PEM data in input"],
    ['{{ $a := genPrivateKey "ecdsa" | genCAWithKey "a" 1 }}{{ $b := genPrivateKey "ecdsa" | genCAWithKey "b" 1 }}{{ genSignedCertWithKey "x" nil nil 1 (buildCustomCert (b64enc $a.Cert) (b64enc $b.Key)) (genPrivateKey "ecdsa") }}',
      "error creating certificate: x509: provided PrivateKey doesn't match parent's PublicKey"],
  ])("%s fails: %s", (src, message) => {
    const data = { Input: {} };
    expect(() => render(src, data)).toThrow(GoTemplateError);
    expect(() => render(src, data)).toThrow(message);
  }, 30_000);
});
