// A SCIM 2.0 server built the way SCIMMY's documentation describes it, for provisim's
// conformance tests (tests/test_conformance_scimmy.py).
//
// SCIMMY (https://github.com/scimmyjs/scimmy) parses and formats SCIM: schemas, filters,
// PATCH, ListResponse paging. scimmy-routers (https://github.com/scimmyjs/scimmy-routers)
// serves its resources as express routes. The application supplies only the store, as the
// ingress/egress/degress handlers of SCIMMY.Types.Resource (whose JSDoc gives these shapes),
// and the authentication handler of scimmy-routers. The store here is in memory.
//
// Usage: node server.js   (environment: SCIMMY_TOKEN, the bearer token to accept;
//                          PORT, default 0: any free port)
// It listens on 127.0.0.1 only and prints "listening <port>" on stdout once it accepts.

import {randomUUID} from "node:crypto";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const token = process.env.SCIMMY_TOKEN;
if (!token) {
    console.error("server.js: set SCIMMY_TOKEN to the bearer token to accept");
    process.exit(2);
}

const users = new Map();
const groups = new Map();

// The handlers store plain JSON, without the attributes SCIMMY assigns itself
// (SCIMMY.Types.Resource~ShadowAttributes: "schemas" and "meta").
function plain(instance) {
    const {schemas, meta, ...rest} = JSON.parse(JSON.stringify(instance));
    return rest;
}

function stamped(id, body, previous) {
    const now = new Date().toISOString();
    return {...body, id, meta: {created: previous?.meta?.created ?? now, lastModified: now}};
}

function notFound(id) {
    return new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
}

// egress: one resource by id, or the list that the request's filter matches (SCIMMY's own
// Filter#match; ListResponse then sorts and pages the list).
function egress(store) {
    return (resource) => {
        if (resource.id) {
            if (!store.has(resource.id)) throw notFound(resource.id);
            return store.get(resource.id);
        }
        const all = [...store.values()];
        return resource.filter ? resource.filter.match(all) : all;
    };
}

// RFC 7643 §4.1.1: userName is unique and "case insensitive" (caseExact false), so the
// store's uniqueness check ignores case; the 409 is the one SCIMMY's IngressHandler example
// throws for a unique constraint.
function assertUniqueUserName(userName, id) {
    const wanted = String(userName).toLowerCase();
    for (const user of users.values()) {
        if (user.id !== id && String(user.userName).toLowerCase() === wanted) {
            throw new SCIMMY.Types.Error(409, "uniqueness", `userName ${userName} is already taken`);
        }
    }
}

// Entra's default mappings write the enterprise extension (department, manager:
// https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups),
// so it is declared as an optional extension, as SCIMMY's Resources documentation shows:
// SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false)).
SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false))
    .ingress((resource, instance) => {
        const body = plain(instance);
        if (resource.id && !users.has(resource.id)) throw notFound(resource.id);
        assertUniqueUserName(body.userName, resource.id);
        const id = resource.id ?? randomUUID();
        const user = stamped(id, body, users.get(id));
        users.set(id, user);
        return user;
    })
    .egress(egress(users))
    .degress((resource) => {
        if (!users.delete(resource.id)) throw notFound(resource.id);
        for (const group of groups.values()) {
            group.members = (group.members ?? []).filter((member) => member.value !== resource.id);
        }
    });

SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource, instance) => {
        const body = plain(instance);
        if (resource.id && !groups.has(resource.id)) throw notFound(resource.id);
        const id = resource.id ?? randomUUID();
        const group = stamped(id, body, groups.get(id));
        groups.set(id, group);
        return group;
    })
    .egress(egress(groups))
    .degress((resource) => {
        if (!groups.delete(resource.id)) throw notFound(resource.id);
    });

const app = express();
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    // scimmy-routers leaves authentication to the application: this handler is the whole of it.
    handler: (request) => {
        if (request.header("Authorization") !== `Bearer ${token}`) {
            throw new Error("Authorization failed");
        }
        return "provisim";
    },
}));

const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
    console.log(`listening ${server.address().port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
        server.close(() => process.exit(0));
        server.closeAllConnections();
    });
}
