/**
 * The part of a zod schema the request pipeline uses, declared here rather than imported: the
 * published declarations of the client then need no zod. zod's own typings (its locales, declared
 * with `export =`) fail to compile in a consumer without `skipLibCheck` and without
 * `allowSyntheticDefaultImports` (colinhacks/zod#5497), and every Pulumi program imports the client.
 * Any zod schema is one of these.
 */
export interface ParseSchema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: SchemaError };
}

/** What a failed parse reports: zod messages, which never contain the input value. */
export interface SchemaError {
  readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
}
