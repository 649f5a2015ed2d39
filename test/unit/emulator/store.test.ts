import { hashKeyValue, hashPassword, passwordMatches } from "../../../emulator/secrets";
import { Store, type StoredKey } from "../../../emulator/store";

const key = (uid: string, value: string, createdAt = 0): StoredKey => ({
  uid,
  name: uid,
  description: "",
  ownerUid: "owner",
  expiresAt: new Date(1e13),
  active: true,
  createdAt: new Date(createdAt),
  updatedAt: new Date(createdAt),
  valueHash: hashKeyValue(value),
  seeded: false,
});

describe("Store", () => {
  it("finds a key by its value through the stored hash only", () => {
    const store = new Store({ uid: "t", orgName: "o" });
    store.putKey(key("a", "value-a"));
    store.putKey(key("b", "value-b"));
    expect(store.findKeyByValue("value-b")?.uid).toBe("b");
    expect(store.findKeyByValue("value-c")).toBeUndefined();
    expect(JSON.stringify(store.listKeys())).not.toContain("value-a");
  });

  it("a key's value stops authenticating once the key is deleted, replaced, re-hashed or dropped", () => {
    const store = new Store({ uid: "t", orgName: "o" });
    for (const [uid, value] of [["a", "value-a"], ["b", "value-b"], ["c", "value-c"], ["d", "value-d"]] as const) store.putKey(key(uid, value));
    store.deleteKey("a");
    store.putKey(key("b", "value-b2"));
    store.updateKey("c", new Date(1), (k) => (k.valueHash = hashKeyValue("value-c2")));
    store.retainKeys((k) => k.uid !== "d");
    expect(["value-a", "value-b", "value-c", "value-d"].map((v) => store.findKeyByValue(v)?.uid)).toEqual([undefined, undefined, undefined, undefined]);
    expect(["value-b2", "value-c2"].map((v) => store.findKeyByValue(v)?.uid)).toEqual(["b", "c"]);
    expect(store.keysOf("owner").map((k) => k.uid)).toEqual(["b", "c"]);
  });

  it("reports every change, and lists oldest first with ties in insertion order", () => {
    let changes = 0;
    const store = new Store({ uid: "t", orgName: "o" }, () => (changes += 1));
    store.putKey(key("z", "1", 5));
    store.putKey(key("y", "2", 5));
    store.putKey(key("x", "3", 1));
    store.updateKey("y", new Date(9), (k) => (k.active = false));
    store.deleteKey("z");
    store.deleteKey("missing");
    expect(changes).toBe(5);
    expect(store.listKeys().map((k) => [k.uid, k.updatedAt.getTime()])).toEqual([
      ["x", 1],
      ["y", 9],
    ]);
  });
});

describe("password hashes", () => {
  it("are salted and verify only the right password", () => {
    const a = hashPassword("pw");
    const b = hashPassword("pw");
    expect(a.hash).not.toBe(b.hash);
    expect(passwordMatches("pw", a)).toBe(true);
    expect(passwordMatches("pW", a)).toBe(false);
  });
});
