import { JwtSigner } from "../../../emulator/jwt";

const claims = { sub: "0123456789abcdef01234567", sid: "abcdefabcdefabcdefabcdef", iat: 100, exp: 1000 };

describe("JwtSigner", () => {
  it("signs HS256 tokens whose claims verify back", () => {
    const signer = new JwtSigner();
    const token = signer.sign(claims);
    const [header] = token.split(".");
    expect(JSON.parse(Buffer.from(header ?? "", "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" });
    expect(signer.verify(token)).toMatchObject(claims);
  });

  it("gives every token a distinct id, even for the same claims", () => {
    const signer = new JwtSigner();
    expect(signer.sign(claims)).not.toBe(signer.sign(claims));
  });

  it("rejects tampered payloads, other signers' tokens, alg swaps and garbage", () => {
    const signer = new JwtSigner();
    const [h, p, s] = signer.sign(claims).split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...payload, exp: 9e9 })).toString("base64url");
    expect(signer.verify(`${h}.${tampered}.${s}`)).toBeUndefined();
    expect(signer.verify(new JwtSigner().sign(claims))).toBeUndefined();
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    expect(signer.verify(`${none}.${p}.`)).toBeUndefined();
    for (const junk of ["", "a.b", "a.b.c.d", "...", "x.y.z"]) expect(signer.verify(junk)).toBeUndefined();
  });
});
