// PostGraphile as `cargo bench --bench api` runs it: the Amber preset (its defaults),
// over the database the benchmark created, on the port the benchmark chose. The
// connection string and port come from the environment (PGL_DATABASE_URL, PGL_PORT).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.PGL_DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.PGL_POOL ?? 16) },
    }),
  ],
  grafserv: { port: Number(process.env.PGL_PORT ?? 5678), host: "127.0.0.1", graphiql: false },
  grafast: { explain: false },
};
