import { authorize, isAllowed, PERMISSIONS } from "../../../emulator/permissions";
import type { StoredUser } from "../../../emulator/store";

const user = (uid: string, role: StoredUser["role"]): StoredUser => ({
  uid,
  email: `${uid}@x`,
  firstName: "F",
  lastName: "L",
  role,
  password: { salt: "s", hash: "h" },
  createdAt: new Date(0),
  lastSignIn: null,
  active: true,
});
const admin = user("admin", "tenantAdmin");
const alice = user("alice", "user");

describe("the permission table", () => {
  const actions = Object.keys(PERMISSIONS.tenantAdmin) as (keyof typeof PERMISSIONS.tenantAdmin)[];

  it.each(actions)("tenant admins may %s on anyone's resources", (action) => {
    expect(isAllowed(admin, action, "admin")).toBe(true);
    expect(isAllowed(admin, action, "alice")).toBe(true);
  });

  it.each(actions.filter((a) => a !== "user.list"))("users may %s only on their own", (action) => {
    expect(isAllowed(alice, action, "alice")).toBe(true);
    expect(isAllowed(alice, action, "admin")).toBe(false);
  });

  it("users may never list users", () => {
    expect(isAllowed(alice, "user.list", "alice")).toBe(false);
  });
});

describe("authorize", () => {
  it("throws 403 OperationForbidden with a message that says only tenant admins may", () => {
    expect(() => authorize(alice, "apiKey.create", "admin")).toThrow(
      "Operation 'apiKey.create' is forbidden for other users: only tenant admins may create API keys for other users",
    );
    try {
      authorize(alice, "user.list", "");
      throw new Error("not thrown");
    } catch (e) {
      expect(e).toMatchObject({ status: 403, code: "OperationForbidden", message: "Operation 'user.list' is forbidden: only tenant admins may list users" });
    }
    expect(() => authorize(admin, "apiKey.delete", "alice")).not.toThrow();
  });
});
