// Generated from the API's OpenAPI document by `npm run openapi:types` (openapi-typescript). Do not edit.

export interface paths {
    "/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness check */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This API described as OpenAPI 3 */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List templates, optionally by status, a page at a time */
        get: operations["listTemplates"];
        put?: never;
        /** Create a coupon template (as a draft) with its stock; with an Idempotency-Key a retry answers the same template */
        post: operations["createTemplate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/templates/{templateId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a template with its remaining stock */
        get: operations["getTemplate"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a template; coupon rules only while it is a draft */
        patch: operations["updateTemplate"];
        trace?: never;
    };
    "/v1/admin/templates/{templateId}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move a template along draft -> active <-> paused -> ended; its campaigns pause with it and resume with it */
        post: operations["changeTemplateStatus"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/templates/{templateId}/stock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add stock, spread over the template's shards (with an Idempotency-Key a retry never adds twice) */
        post: operations["addTemplateStock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/blocklist": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The global product block list (no coupon ever applies to these products) */
        get: operations["getBlocklist"];
        /** Replace the global product block list */
        put: operations["putBlocklist"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{userId}/tags": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's audience tags */
        get: operations["getUserTags"];
        /** Replace a user's audience tags */
        put: operations["putUserTags"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/coupons/claim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Claim one or several coupons, all or nothing (Idempotency-Key required; a retry within 24 h returns the first answer) */
        post: operations["claimCoupons"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What I can claim now: active, in its claim window, for my audience, not sold out, under my limit */
        get: operations["listClaimableTemplates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/coupons": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My wallet, newest first, optionally by status (expired is derived from validity) */
        get: operations["listCoupons"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/coupons/{couponId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of my coupons (another user's is 404) */
        get: operations["getCoupon"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{userId}/coupons": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's wallet as the user sees it (support), newest first, optionally by status */
        get: operations["listUserCoupons"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/coupons/quote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Which of my coupons fit this cart, what each saves and why others do not, and the best combination */
        post: operations["quoteCoupons"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/products/{productId}/offers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The coupons anyone can claim for this product and what each saves at this price: the same answer for every visitor, cacheable by a CDN for maxAgeSeconds (sold-out and paused templates drop out within that time) */
        get: operations["getProductOffers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/products/{productId}/coupons": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** For this product: the offers I can still claim (under my limit, for my audience) and my available coupons that apply, each with its saving at this price */
        get: operations["getMyProductCoupons"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{orderId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An order's coupon lock: state, coupons, pricing, refunds */
        get: operations["getOrder"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{orderId}/lock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check the coupons against the cart and lock them for this order, all or none (replay-safe per order id) */
        post: operations["lockOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{orderId}/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Payment succeeded: the locked coupons become used */
        post: operations["confirmOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{orderId}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The order was cancelled: its coupons go back to the wallet (or expire if their validity ended) */
        post: operations["cancelOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{orderId}/refund": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Refund: give the named coupons (all, without a body) back while valid and returnable; others stay used */
        post: operations["refundOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/templates/{templateId}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Issued / available / locked / used / expired now, and lock, use, release and return totals */
        get: operations["getTemplateStatistics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/templates/{templateId}/ledger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The stock ledger: added = left in the shards + issued by every path + reserved by campaigns and not yet issued or given back, term by term, and whether it balances */
        get: operations["getStockLedger"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/campaigns": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Campaigns, newest first, optionally of one template and in one status, a page at a time */
        get: operations["listCampaigns"];
        put?: never;
        /** Send coupons of a template to a list of users (inline up to 10,000, or an S3 object of one id per line); the same id with the same template and audience answers the existing campaign, with anything else 409 */
        post: operations["requestCampaign"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/campaigns/audience-uploads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A pre-signed PUT of an audience file (one user id per line, text/plain) to a fresh key in the audience bucket, for a campaign requested with that file as its s3 audience */
        post: operations["createAudienceUpload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/campaigns/{campaignId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A campaign's status with its reason and history, progress (processed, issued, skipped by reason, failed) and stock (reserved, given back, outstanding) */
        get: operations["getCampaign"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/campaigns/{campaignId}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a running campaign: no new coupons within one visibility timeout; its stock stays reserved (pausing again is a no-op) */
        post: operations["pauseCampaign"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/campaigns/{campaignId}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused campaign where it stopped (its template must be active) */
        post: operations["resumeCampaign"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/campaigns/{campaignId}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a campaign that has not ended and give back exactly the stock it did not issue; on a completed campaign, give back what it holds for failed users */
        post: operations["cancelCampaign"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/campaigns/{campaignId}/retry-failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send every user the campaign gave up on back to the workers (retrying twice equals retrying once) */
        post: operations["retryCampaignFailures"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/templates/{templateId}/code-batches": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a batch of redemption codes for a template: unique codes (up to 10,000,000, generated in the background) or one shared code; reserves the template's stock for it. The same batch id with the same request answers the batch, with anything else 409 */
        post: operations["createCodeBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/code-batches/{batchId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A code batch: status, counts (generated, redeemed, revoked, exported, failed attempts), its stock and who exported it when */
        get: operations["getCodeBatch"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/code-batches/{batchId}/exports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A short-lived link to the batch's codes (CSV, one code a line); who asked and when is recorded */
        post: operations["exportCodeBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/code-batches/{batchId}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke a batch: its unredeemed codes stop working and their reserved stock goes back to the template (revoking again changes nothing) */
        post: operations["revokeCodeBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/code-batches/{batchId}/codes/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke one code of a batch: it stops working and its unit of stock goes back to the template */
        post: operations["revokeCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/codes/redeem": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Redeem a code for a coupon (Idempotency-Key required). The same user redeeming again gets the same coupon; unknown, mistyped, expired and revoked codes all answer 400 CODE_INVALID; too many failed attempts answer 429 with Retry-After */
        post: operations["redeemCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/imports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import legacy templates and coupons from files in the import bucket (JSON Lines; coupons also CSV), in the background: validate, write, verify. dryRun: validate and count only. The same import id with the same request answers the import, with another 409 */
        post: operations["startImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/imports/{importId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An import: status, progress, totals (read, created, updated, unchanged, invalid), the invalid records (line, field, reason) and the reconciliation of source and table per template and status */
        get: operations["getImport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/imports/coupons/{externalId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** The dual write of a cut-over: one coupon as the legacy system holds it now. Idempotent; the newest version by updatedAt wins (an older one is ignored) */
        put: operations["dualWriteCoupon"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/archives": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Archive manifests made between two instants, oldest first: each batch's objects (S3 key, coupons, bytes, SHA-256) and state */
        get: operations["listArchives"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            error: {
                /** @description Stable machine-readable code */
                code: string;
                message: string;
                details?: unknown;
            };
        };
    };
    responses: {
        /** @description Bad input: malformed JSON, a wrong or unknown field, a malformed path, a bad cursor or header */
        Error400: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No bearer token, an invalid one, or one whose subject cannot be a user id (1 to 128 characters, no "#" or whitespace) */
        Error401: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The token lacks the scope this route needs */
        Error403: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No such resource (or not yours) */
        Error404: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The request contradicts the current state; the code and details say which */
        Error409: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body is larger than this route accepts */
        Error413: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body is not sent as application/json */
        Error415: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The Idempotency-Key was used before with a different body */
        Error422: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Throttled by API Gateway (stage or route limit); back off and retry. The body is API Gateway's own: {"message": "Too Many Requests"} */
        Error429: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": {
                    message?: string;
                };
            };
        };
        /** @description Internal error (nothing about it is exposed) */
        Error500: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Too much contention on the same items right now; retry after the Retry-After seconds */
        Error503: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description Seconds to wait before retrying */
        RetryAfter: number;
        /** @description "true" when this answer is the stored outcome of an earlier request with the same Idempotency-Key */
        IdempotentReplayed: "true";
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service is up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok",
                     *       "time": "2026-11-23T20:15:13.385Z"
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        status: "ok";
                        time: string;
                    };
                };
            };
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    listTemplates: {
        parameters: {
            query?: {
                status?: "draft" | "active" | "paused" | "ended";
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of templates */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "reminders": [
                     *             "P7D",
                     *             "P1D"
                     *           ],
                     *           "description": "Spring sale, shoes only",
                     *           "returnOnRefund": true,
                     *           "createdAt": "2026-11-23T20:15:13.448Z",
                     *           "perUserLimit": 2,
                     *           "effect": {
                     *             "type": "amount_off",
                     *             "minSpend": 10000,
                     *             "amountOff": 2000
                     *           },
                     *           "scope": {
                     *             "include": {
                     *               "categoryIds": [
                     *                 "shoes"
                     *               ]
                     *             },
                     *             "exclude": {
                     *               "productIds": [
                     *                 "limited-sneaker"
                     *               ]
                     *             }
                     *           },
                     *           "name": "20 off 100 on shoes",
                     *           "claimable": true,
                     *           "currency": "EUR",
                     *           "id": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *           "validity": {
                     *             "type": "relative",
                     *             "days": 30
                     *           },
                     *           "stock": {
                     *             "shards": 4,
                     *             "total": 1500
                     *           },
                     *           "stacking": {
                     *             "type": "group",
                     *             "group": "default"
                     *           },
                     *           "status": "active",
                     *           "updatedAt": "2026-11-23T20:15:13.885Z"
                     *         }
                     *       ],
                     *       "nextCursor": "eyJzayI6IlRQTCIsInBrIjoiVFBMIzAxTTg1MFJSSDcwSFk2WFlCUlM3QkpKTjZZIiwiZ3NpMXNrIjoiYWN0aXZlIzIwMjYtMTEtMjNUMjA6MTU6MTMuNDQ4WiMwMU04NTBSUkg3MEhZNlhZQlJTN0JKSk42WSIsImdzaTFwayI6IlRFTVBMQVRFUyJ9"
                     *     }
                     */
                    "application/json": {
                        items: {
                            id: string;
                            /** @enum {string} */
                            status: "draft" | "active" | "paused" | "ended";
                            name: string;
                            description?: string;
                            currency: string;
                            effect: {
                                /** @constant */
                                type: "amount_off";
                                amountOff: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "percent_off";
                                percentOffBps: number;
                                maxDiscount?: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "payout_amount";
                                bonus: number;
                                minPayout?: number;
                            } | {
                                /** @constant */
                                type: "payout_percent";
                                bonusBps: number;
                                maxBonus?: number;
                                minPayout?: number;
                            };
                            validity: {
                                /** @constant */
                                type: "fixed";
                                from: unknown;
                                until: unknown;
                            } | {
                                /** @constant */
                                type: "relative";
                                days: number;
                            };
                            claimWindow?: {
                                from?: unknown;
                                until?: unknown;
                            };
                            stock: {
                                total: number;
                                shards: number;
                                carriedOver?: number;
                                remaining?: number;
                            };
                            perUserLimit: number;
                            scope: {
                                include?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                                exclude?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                            };
                            stacking: {
                                /** @constant */
                                type: "exclusive";
                            } | {
                                /** @constant */
                                type: "group";
                                group: string;
                            };
                            audience?: {
                                allOfTags?: string[];
                                anyOfTags?: string[];
                            };
                            returnOnRefund: boolean;
                            claimable: boolean;
                            reminders?: string[];
                            createdAt: string;
                            updatedAt: string;
                        }[];
                        nextCursor?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    createTemplate: {
        parameters: {
            query?: never;
            header?: {
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "20 off 100 on shoes",
                 *       "description": "Spring sale",
                 *       "currency": "EUR",
                 *       "effect": {
                 *         "type": "amount_off",
                 *         "amountOff": 2000,
                 *         "minSpend": 10000
                 *       },
                 *       "validity": {
                 *         "type": "relative",
                 *         "days": 30
                 *       },
                 *       "stock": {
                 *         "total": 1000,
                 *         "shards": 4
                 *       },
                 *       "perUserLimit": 2,
                 *       "scope": {
                 *         "include": {
                 *           "categoryIds": [
                 *             "shoes"
                 *           ]
                 *         },
                 *         "exclude": {
                 *           "productIds": [
                 *             "limited-sneaker"
                 *           ]
                 *         }
                 *       },
                 *       "reminders": [
                 *         "P7D",
                 *         "P1D"
                 *       ]
                 *     }
                 */
                "application/json": {
                    name: string;
                    description?: string;
                    currency: string;
                    effect: {
                        /** @constant */
                        type: "amount_off";
                        amountOff: number;
                        minSpend?: number;
                    } | {
                        /** @constant */
                        type: "percent_off";
                        percentOffBps: number;
                        maxDiscount?: number;
                        minSpend?: number;
                    } | {
                        /** @constant */
                        type: "payout_amount";
                        bonus: number;
                        minPayout?: number;
                    } | {
                        /** @constant */
                        type: "payout_percent";
                        bonusBps: number;
                        maxBonus?: number;
                        minPayout?: number;
                    };
                    validity: {
                        /** @constant */
                        type: "fixed";
                        /** Format: date-time */
                        from: string;
                        /** Format: date-time */
                        until: string;
                    } | {
                        /** @constant */
                        type: "relative";
                        days: number;
                    };
                    claimWindow?: {
                        /** Format: date-time */
                        from?: string;
                        /** Format: date-time */
                        until?: string;
                    };
                    stock: {
                        total: number;
                        shards?: number;
                    };
                    /** @default 1 */
                    perUserLimit?: number;
                    /** @default {} */
                    scope?: {
                        include?: {
                            productIds?: string[];
                            categoryIds?: string[];
                            merchantIds?: string[];
                        };
                        exclude?: {
                            productIds?: string[];
                            categoryIds?: string[];
                            merchantIds?: string[];
                        };
                    };
                    /**
                     * @default {
                     *       "type": "group",
                     *       "group": "default"
                     *     }
                     */
                    stacking?: {
                        /** @constant */
                        type: "exclusive";
                    } | {
                        /** @constant */
                        type: "group";
                        group: string;
                    };
                    audience?: {
                        allOfTags?: string[];
                        anyOfTags?: string[];
                    };
                    /** @default true */
                    returnOnRefund?: boolean;
                    /** @default true */
                    claimable?: boolean;
                    reminders?: string[];
                };
            };
        };
        responses: {
            /** @description The resource created earlier under this Idempotency-Key (a replay) */
            200: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "20 off 100 on shoes",
                     *       "description": "Spring sale",
                     *       "currency": "EUR",
                     *       "effect": {
                     *         "type": "amount_off",
                     *         "amountOff": 2000,
                     *         "minSpend": 10000
                     *       },
                     *       "validity": {
                     *         "type": "relative",
                     *         "days": 30
                     *       },
                     *       "perUserLimit": 2,
                     *       "scope": {
                     *         "include": {
                     *           "categoryIds": [
                     *             "shoes"
                     *           ]
                     *         },
                     *         "exclude": {
                     *           "productIds": [
                     *             "limited-sneaker"
                     *           ]
                     *         }
                     *       },
                     *       "stacking": {
                     *         "type": "group",
                     *         "group": "default"
                     *       },
                     *       "returnOnRefund": true,
                     *       "claimable": true,
                     *       "reminders": [
                     *         "P7D",
                     *         "P1D"
                     *       ],
                     *       "id": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "status": "draft",
                     *       "stock": {
                     *         "total": 1000,
                     *         "shards": 4,
                     *         "remaining": 1000
                     *       },
                     *       "createdAt": "2026-11-23T20:15:13.448Z",
                     *       "updatedAt": "2026-11-23T20:15:13.448Z"
                     *     }
                     */
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        status: "draft" | "active" | "paused" | "ended";
                        name: string;
                        description?: string;
                        currency: string;
                        effect: {
                            /** @constant */
                            type: "amount_off";
                            amountOff: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "percent_off";
                            percentOffBps: number;
                            maxDiscount?: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "payout_amount";
                            bonus: number;
                            minPayout?: number;
                        } | {
                            /** @constant */
                            type: "payout_percent";
                            bonusBps: number;
                            maxBonus?: number;
                            minPayout?: number;
                        };
                        validity: {
                            /** @constant */
                            type: "fixed";
                            from: unknown;
                            until: unknown;
                        } | {
                            /** @constant */
                            type: "relative";
                            days: number;
                        };
                        claimWindow?: {
                            from?: unknown;
                            until?: unknown;
                        };
                        stock: {
                            total: number;
                            shards: number;
                            carriedOver?: number;
                            remaining?: number;
                        };
                        perUserLimit: number;
                        scope: {
                            include?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                            exclude?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                        };
                        stacking: {
                            /** @constant */
                            type: "exclusive";
                        } | {
                            /** @constant */
                            type: "group";
                            group: string;
                        };
                        audience?: {
                            allOfTags?: string[];
                            anyOfTags?: string[];
                        };
                        returnOnRefund: boolean;
                        claimable: boolean;
                        reminders?: string[];
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description The new template */
            201: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "20 off 100 on shoes",
                     *       "description": "Spring sale",
                     *       "currency": "EUR",
                     *       "effect": {
                     *         "type": "amount_off",
                     *         "amountOff": 2000,
                     *         "minSpend": 10000
                     *       },
                     *       "validity": {
                     *         "type": "relative",
                     *         "days": 30
                     *       },
                     *       "perUserLimit": 2,
                     *       "scope": {
                     *         "include": {
                     *           "categoryIds": [
                     *             "shoes"
                     *           ]
                     *         },
                     *         "exclude": {
                     *           "productIds": [
                     *             "limited-sneaker"
                     *           ]
                     *         }
                     *       },
                     *       "stacking": {
                     *         "type": "group",
                     *         "group": "default"
                     *       },
                     *       "returnOnRefund": true,
                     *       "claimable": true,
                     *       "reminders": [
                     *         "P7D",
                     *         "P1D"
                     *       ],
                     *       "id": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "status": "draft",
                     *       "stock": {
                     *         "total": 1000,
                     *         "shards": 4,
                     *         "remaining": 1000
                     *       },
                     *       "createdAt": "2026-11-23T20:15:13.448Z",
                     *       "updatedAt": "2026-11-23T20:15:13.448Z"
                     *     }
                     */
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        status: "draft" | "active" | "paused" | "ended";
                        name: string;
                        description?: string;
                        currency: string;
                        effect: {
                            /** @constant */
                            type: "amount_off";
                            amountOff: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "percent_off";
                            percentOffBps: number;
                            maxDiscount?: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "payout_amount";
                            bonus: number;
                            minPayout?: number;
                        } | {
                            /** @constant */
                            type: "payout_percent";
                            bonusBps: number;
                            maxBonus?: number;
                            minPayout?: number;
                        };
                        validity: {
                            /** @constant */
                            type: "fixed";
                            from: unknown;
                            until: unknown;
                        } | {
                            /** @constant */
                            type: "relative";
                            days: number;
                        };
                        claimWindow?: {
                            from?: unknown;
                            until?: unknown;
                        };
                        stock: {
                            total: number;
                            shards: number;
                            carriedOver?: number;
                            remaining?: number;
                        };
                        perUserLimit: number;
                        scope: {
                            include?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                            exclude?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                        };
                        stacking: {
                            /** @constant */
                            type: "exclusive";
                        } | {
                            /** @constant */
                            type: "group";
                            group: string;
                        };
                        audience?: {
                            allOfTags?: string[];
                            anyOfTags?: string[];
                        };
                        returnOnRefund: boolean;
                        claimable: boolean;
                        reminders?: string[];
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            422: components["responses"]["Error422"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    getTemplate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                templateId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The template */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "reminders": [
                     *         "P7D",
                     *         "P1D"
                     *       ],
                     *       "description": "Spring sale, shoes only",
                     *       "returnOnRefund": true,
                     *       "createdAt": "2026-11-23T20:15:13.448Z",
                     *       "perUserLimit": 2,
                     *       "effect": {
                     *         "type": "amount_off",
                     *         "minSpend": 10000,
                     *         "amountOff": 2000
                     *       },
                     *       "scope": {
                     *         "include": {
                     *           "categoryIds": [
                     *             "shoes"
                     *           ]
                     *         },
                     *         "exclude": {
                     *           "productIds": [
                     *             "limited-sneaker"
                     *           ]
                     *         }
                     *       },
                     *       "name": "20 off 100 on shoes",
                     *       "claimable": true,
                     *       "currency": "EUR",
                     *       "id": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "validity": {
                     *         "type": "relative",
                     *         "days": 30
                     *       },
                     *       "stock": {
                     *         "shards": 4,
                     *         "total": 1500,
                     *         "remaining": 1500
                     *       },
                     *       "stacking": {
                     *         "type": "group",
                     *         "group": "default"
                     *       },
                     *       "status": "active",
                     *       "updatedAt": "2026-11-23T20:15:13.885Z"
                     *     }
                     */
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        status: "draft" | "active" | "paused" | "ended";
                        name: string;
                        description?: string;
                        currency: string;
                        effect: {
                            /** @constant */
                            type: "amount_off";
                            amountOff: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "percent_off";
                            percentOffBps: number;
                            maxDiscount?: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "payout_amount";
                            bonus: number;
                            minPayout?: number;
                        } | {
                            /** @constant */
                            type: "payout_percent";
                            bonusBps: number;
                            maxBonus?: number;
                            minPayout?: number;
                        };
                        validity: {
                            /** @constant */
                            type: "fixed";
                            from: unknown;
                            until: unknown;
                        } | {
                            /** @constant */
                            type: "relative";
                            days: number;
                        };
                        claimWindow?: {
                            from?: unknown;
                            until?: unknown;
                        };
                        stock: {
                            total: number;
                            shards: number;
                            carriedOver?: number;
                            remaining?: number;
                        };
                        perUserLimit: number;
                        scope: {
                            include?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                            exclude?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                        };
                        stacking: {
                            /** @constant */
                            type: "exclusive";
                        } | {
                            /** @constant */
                            type: "group";
                            group: string;
                        };
                        audience?: {
                            allOfTags?: string[];
                            anyOfTags?: string[];
                        };
                        returnOnRefund: boolean;
                        claimable: boolean;
                        reminders?: string[];
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    updateTemplate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                templateId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "description": "Spring sale, shoes only"
                 *     }
                 */
                "application/json": {
                    name?: string;
                    description?: string;
                    claimWindow?: {
                        /** Format: date-time */
                        from?: string;
                        /** Format: date-time */
                        until?: string;
                    };
                    perUserLimit?: number;
                    audience?: {
                        allOfTags?: string[];
                        anyOfTags?: string[];
                    } | null;
                    currency?: string;
                    effect?: {
                        /** @constant */
                        type: "amount_off";
                        amountOff: number;
                        minSpend?: number;
                    } | {
                        /** @constant */
                        type: "percent_off";
                        percentOffBps: number;
                        maxDiscount?: number;
                        minSpend?: number;
                    } | {
                        /** @constant */
                        type: "payout_amount";
                        bonus: number;
                        minPayout?: number;
                    } | {
                        /** @constant */
                        type: "payout_percent";
                        bonusBps: number;
                        maxBonus?: number;
                        minPayout?: number;
                    };
                    validity?: {
                        /** @constant */
                        type: "fixed";
                        /** Format: date-time */
                        from: string;
                        /** Format: date-time */
                        until: string;
                    } | {
                        /** @constant */
                        type: "relative";
                        days: number;
                    };
                    scope?: {
                        include?: {
                            productIds?: string[];
                            categoryIds?: string[];
                            merchantIds?: string[];
                        };
                        exclude?: {
                            productIds?: string[];
                            categoryIds?: string[];
                            merchantIds?: string[];
                        };
                    };
                    stacking?: {
                        /** @constant */
                        type: "exclusive";
                    } | {
                        /** @constant */
                        type: "group";
                        group: string;
                    };
                    returnOnRefund?: boolean;
                    claimable?: boolean;
                    reminders?: string[] | null;
                };
            };
        };
        responses: {
            /** @description The changed template */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "reminders": [
                     *         "P7D",
                     *         "P1D"
                     *       ],
                     *       "description": "Spring sale, shoes only",
                     *       "returnOnRefund": true,
                     *       "createdAt": "2026-11-23T20:15:13.448Z",
                     *       "perUserLimit": 2,
                     *       "effect": {
                     *         "type": "amount_off",
                     *         "minSpend": 10000,
                     *         "amountOff": 2000
                     *       },
                     *       "scope": {
                     *         "include": {
                     *           "categoryIds": [
                     *             "shoes"
                     *           ]
                     *         },
                     *         "exclude": {
                     *           "productIds": [
                     *             "limited-sneaker"
                     *           ]
                     *         }
                     *       },
                     *       "name": "20 off 100 on shoes",
                     *       "currency": "EUR",
                     *       "claimable": true,
                     *       "validity": {
                     *         "type": "relative",
                     *         "days": 30
                     *       },
                     *       "id": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "stock": {
                     *         "shards": 4,
                     *         "total": 1000
                     *       },
                     *       "stacking": {
                     *         "type": "group",
                     *         "group": "default"
                     *       },
                     *       "status": "draft",
                     *       "updatedAt": "2026-11-23T20:15:13.631Z"
                     *     }
                     */
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        status: "draft" | "active" | "paused" | "ended";
                        name: string;
                        description?: string;
                        currency: string;
                        effect: {
                            /** @constant */
                            type: "amount_off";
                            amountOff: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "percent_off";
                            percentOffBps: number;
                            maxDiscount?: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "payout_amount";
                            bonus: number;
                            minPayout?: number;
                        } | {
                            /** @constant */
                            type: "payout_percent";
                            bonusBps: number;
                            maxBonus?: number;
                            minPayout?: number;
                        };
                        validity: {
                            /** @constant */
                            type: "fixed";
                            from: unknown;
                            until: unknown;
                        } | {
                            /** @constant */
                            type: "relative";
                            days: number;
                        };
                        claimWindow?: {
                            from?: unknown;
                            until?: unknown;
                        };
                        stock: {
                            total: number;
                            shards: number;
                            carriedOver?: number;
                            remaining?: number;
                        };
                        perUserLimit: number;
                        scope: {
                            include?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                            exclude?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                        };
                        stacking: {
                            /** @constant */
                            type: "exclusive";
                        } | {
                            /** @constant */
                            type: "group";
                            group: string;
                        };
                        audience?: {
                            allOfTags?: string[];
                            anyOfTags?: string[];
                        };
                        returnOnRefund: boolean;
                        claimable: boolean;
                        reminders?: string[];
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    changeTemplateStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                templateId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "status": "active"
                 *     }
                 */
                "application/json": {
                    /** @enum {string} */
                    status: "draft" | "active" | "paused" | "ended";
                };
            };
        };
        responses: {
            /** @description The template in its new status */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "reminders": [
                     *         "P7D",
                     *         "P1D"
                     *       ],
                     *       "description": "Spring sale, shoes only",
                     *       "returnOnRefund": true,
                     *       "createdAt": "2026-11-23T20:15:13.448Z",
                     *       "perUserLimit": 2,
                     *       "effect": {
                     *         "type": "amount_off",
                     *         "minSpend": 10000,
                     *         "amountOff": 2000
                     *       },
                     *       "scope": {
                     *         "include": {
                     *           "categoryIds": [
                     *             "shoes"
                     *           ]
                     *         },
                     *         "exclude": {
                     *           "productIds": [
                     *             "limited-sneaker"
                     *           ]
                     *         }
                     *       },
                     *       "name": "20 off 100 on shoes",
                     *       "currency": "EUR",
                     *       "claimable": true,
                     *       "validity": {
                     *         "type": "relative",
                     *         "days": 30
                     *       },
                     *       "id": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "stock": {
                     *         "shards": 4,
                     *         "total": 1000
                     *       },
                     *       "stacking": {
                     *         "type": "group",
                     *         "group": "default"
                     *       },
                     *       "status": "active",
                     *       "updatedAt": "2026-11-23T20:15:13.719Z"
                     *     }
                     */
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        status: "draft" | "active" | "paused" | "ended";
                        name: string;
                        description?: string;
                        currency: string;
                        effect: {
                            /** @constant */
                            type: "amount_off";
                            amountOff: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "percent_off";
                            percentOffBps: number;
                            maxDiscount?: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "payout_amount";
                            bonus: number;
                            minPayout?: number;
                        } | {
                            /** @constant */
                            type: "payout_percent";
                            bonusBps: number;
                            maxBonus?: number;
                            minPayout?: number;
                        };
                        validity: {
                            /** @constant */
                            type: "fixed";
                            from: unknown;
                            until: unknown;
                        } | {
                            /** @constant */
                            type: "relative";
                            days: number;
                        };
                        claimWindow?: {
                            from?: unknown;
                            until?: unknown;
                        };
                        stock: {
                            total: number;
                            shards: number;
                            carriedOver?: number;
                            remaining?: number;
                        };
                        perUserLimit: number;
                        scope: {
                            include?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                            exclude?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                        };
                        stacking: {
                            /** @constant */
                            type: "exclusive";
                        } | {
                            /** @constant */
                            type: "group";
                            group: string;
                        };
                        audience?: {
                            allOfTags?: string[];
                            anyOfTags?: string[];
                        };
                        returnOnRefund: boolean;
                        claimable: boolean;
                        reminders?: string[];
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    addTemplateStock: {
        parameters: {
            query?: never;
            header?: {
                "Idempotency-Key"?: string;
            };
            path: {
                templateId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "quantity": 500
                 *     }
                 */
                "application/json": {
                    quantity: number;
                };
            };
        };
        responses: {
            /** @description The template with its new stock */
            200: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "reminders": [
                     *         "P7D",
                     *         "P1D"
                     *       ],
                     *       "description": "Spring sale, shoes only",
                     *       "returnOnRefund": true,
                     *       "createdAt": "2026-11-23T20:15:13.448Z",
                     *       "perUserLimit": 2,
                     *       "effect": {
                     *         "type": "amount_off",
                     *         "minSpend": 10000,
                     *         "amountOff": 2000
                     *       },
                     *       "scope": {
                     *         "include": {
                     *           "categoryIds": [
                     *             "shoes"
                     *           ]
                     *         },
                     *         "exclude": {
                     *           "productIds": [
                     *             "limited-sneaker"
                     *           ]
                     *         }
                     *       },
                     *       "name": "20 off 100 on shoes",
                     *       "claimable": true,
                     *       "currency": "EUR",
                     *       "id": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "validity": {
                     *         "type": "relative",
                     *         "days": 30
                     *       },
                     *       "stock": {
                     *         "shards": 4,
                     *         "total": 1500,
                     *         "remaining": 1500
                     *       },
                     *       "stacking": {
                     *         "type": "group",
                     *         "group": "default"
                     *       },
                     *       "status": "active",
                     *       "updatedAt": "2026-11-23T20:15:13.885Z"
                     *     }
                     */
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        status: "draft" | "active" | "paused" | "ended";
                        name: string;
                        description?: string;
                        currency: string;
                        effect: {
                            /** @constant */
                            type: "amount_off";
                            amountOff: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "percent_off";
                            percentOffBps: number;
                            maxDiscount?: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "payout_amount";
                            bonus: number;
                            minPayout?: number;
                        } | {
                            /** @constant */
                            type: "payout_percent";
                            bonusBps: number;
                            maxBonus?: number;
                            minPayout?: number;
                        };
                        validity: {
                            /** @constant */
                            type: "fixed";
                            from: unknown;
                            until: unknown;
                        } | {
                            /** @constant */
                            type: "relative";
                            days: number;
                        };
                        claimWindow?: {
                            from?: unknown;
                            until?: unknown;
                        };
                        stock: {
                            total: number;
                            shards: number;
                            carriedOver?: number;
                            remaining?: number;
                        };
                        perUserLimit: number;
                        scope: {
                            include?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                            exclude?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                        };
                        stacking: {
                            /** @constant */
                            type: "exclusive";
                        } | {
                            /** @constant */
                            type: "group";
                            group: string;
                        };
                        audience?: {
                            allOfTags?: string[];
                            anyOfTags?: string[];
                        };
                        returnOnRefund: boolean;
                        claimable: boolean;
                        reminders?: string[];
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            422: components["responses"]["Error422"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    getBlocklist: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The block list */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "productIds": [
                     *         "gift-card-50"
                     *       ],
                     *       "updatedAt": "2026-11-23T20:15:14.137Z"
                     *     }
                     */
                    "application/json": {
                        productIds: string[];
                        updatedAt?: string;
                    };
                };
            };
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    putBlocklist: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "productIds": [
                 *         "gift-card-50"
                 *       ]
                 *     }
                 */
                "application/json": {
                    productIds: string[];
                };
            };
        };
        responses: {
            /** @description The new block list */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "productIds": [
                     *         "gift-card-50"
                     *       ],
                     *       "updatedAt": "2026-11-23T20:15:14.137Z"
                     *     }
                     */
                    "application/json": {
                        productIds: string[];
                        updatedAt?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    getUserTags: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tags */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "userId": "user-123",
                     *       "tags": [
                     *         "vip"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        userId: string;
                        tags: string[];
                        updatedAt?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    putUserTags: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "tags": [
                 *         "vip"
                 *       ]
                 *     }
                 */
                "application/json": {
                    tags: string[];
                };
            };
        };
        responses: {
            /** @description The new tags */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "userId": "user-123",
                     *       "tags": [
                     *         "vip"
                     *       ],
                     *       "updatedAt": "2026-11-23T20:15:14.223Z"
                     *     }
                     */
                    "application/json": {
                        userId: string;
                        tags: string[];
                        updatedAt?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    claimCoupons: {
        parameters: {
            query?: never;
            header: {
                "Idempotency-Key": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "templateIds": [
                 *         "01M850RRH70HY6XYBRS7BJJN6Y"
                 *       ]
                 *     }
                 */
                "application/json": {
                    templateIds: string[];
                };
            };
        };
        responses: {
            /** @description The coupons issued */
            201: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "coupons": [
                     *         {
                     *           "id": "01M850RSD97BV668GYCG5GAA2B",
                     *           "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *           "status": "available",
                     *           "name": "20 off 100 on shoes",
                     *           "currency": "EUR",
                     *           "effect": {
                     *             "type": "amount_off",
                     *             "minSpend": 10000,
                     *             "amountOff": 2000
                     *           },
                     *           "scope": {
                     *             "include": {
                     *               "categoryIds": [
                     *                 "shoes"
                     *               ]
                     *             },
                     *             "exclude": {
                     *               "productIds": [
                     *                 "limited-sneaker"
                     *               ]
                     *             }
                     *           },
                     *           "stacking": {
                     *             "type": "group",
                     *             "group": "default"
                     *           },
                     *           "validFrom": "2026-11-23T20:15:14.329Z",
                     *           "validUntil": "2026-12-23T20:15:14.329Z",
                     *           "issuedAt": "2026-11-23T20:15:14.329Z",
                     *           "source": "claim"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        coupons: {
                            id: string;
                            templateId: string;
                            /** @enum {string} */
                            status: "available" | "locked" | "used" | "expired";
                            name: string;
                            currency: string;
                            effect: {
                                /** @constant */
                                type: "amount_off";
                                amountOff: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "percent_off";
                                percentOffBps: number;
                                maxDiscount?: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "payout_amount";
                                bonus: number;
                                minPayout?: number;
                            } | {
                                /** @constant */
                                type: "payout_percent";
                                bonusBps: number;
                                maxBonus?: number;
                                minPayout?: number;
                            };
                            scope: {
                                include?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                                exclude?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                            };
                            stacking: {
                                /** @constant */
                                type: "exclusive";
                            } | {
                                /** @constant */
                                type: "group";
                                group: string;
                            };
                            validFrom: string;
                            validUntil: string;
                            issuedAt: string;
                            /** @enum {string} */
                            source: "claim" | "campaign" | "code" | "import";
                            orderId?: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            422: components["responses"]["Error422"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    listClaimableTemplates: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Claimable templates */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *           "name": "20 off 100 on shoes",
                     *           "description": "Spring sale, shoes only",
                     *           "currency": "EUR",
                     *           "effect": {
                     *             "type": "amount_off",
                     *             "minSpend": 10000,
                     *             "amountOff": 2000
                     *           },
                     *           "validity": {
                     *             "type": "relative",
                     *             "days": 30
                     *           },
                     *           "scope": {
                     *             "include": {
                     *               "categoryIds": [
                     *                 "shoes"
                     *               ]
                     *             },
                     *             "exclude": {
                     *               "productIds": [
                     *                 "limited-sneaker"
                     *               ]
                     *             }
                     *           },
                     *           "stacking": {
                     *             "type": "group",
                     *             "group": "default"
                     *           },
                     *           "perUserLimit": 2,
                     *           "claimedByMe": 0
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        items: {
                            id: string;
                            name: string;
                            description?: string;
                            currency: string;
                            effect: {
                                /** @constant */
                                type: "amount_off";
                                amountOff: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "percent_off";
                                percentOffBps: number;
                                maxDiscount?: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "payout_amount";
                                bonus: number;
                                minPayout?: number;
                            } | {
                                /** @constant */
                                type: "payout_percent";
                                bonusBps: number;
                                maxBonus?: number;
                                minPayout?: number;
                            };
                            validity: {
                                /** @constant */
                                type: "fixed";
                                from: unknown;
                                until: unknown;
                            } | {
                                /** @constant */
                                type: "relative";
                                days: number;
                            };
                            claimWindow?: {
                                from?: unknown;
                                until?: unknown;
                            };
                            scope: {
                                include?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                                exclude?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                            };
                            stacking: {
                                /** @constant */
                                type: "exclusive";
                            } | {
                                /** @constant */
                                type: "group";
                                group: string;
                            };
                            audience?: {
                                allOfTags?: string[];
                                anyOfTags?: string[];
                            };
                            perUserLimit: number;
                            claimedByMe: number;
                        }[];
                    };
                };
            };
            401: components["responses"]["Error401"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    listCoupons: {
        parameters: {
            query?: {
                status?: "available" | "locked" | "used" | "expired";
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of my coupons */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "01M850RSD97BV668GYCG5GAA2B",
                     *           "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *           "status": "available",
                     *           "name": "20 off 100 on shoes",
                     *           "currency": "EUR",
                     *           "effect": {
                     *             "type": "amount_off",
                     *             "minSpend": 10000,
                     *             "amountOff": 2000
                     *           },
                     *           "scope": {
                     *             "include": {
                     *               "categoryIds": [
                     *                 "shoes"
                     *               ]
                     *             },
                     *             "exclude": {
                     *               "productIds": [
                     *                 "limited-sneaker"
                     *               ]
                     *             }
                     *           },
                     *           "stacking": {
                     *             "type": "group",
                     *             "group": "default"
                     *           },
                     *           "validFrom": "2026-11-23T20:15:14.329Z",
                     *           "validUntil": "2026-12-23T20:15:14.329Z",
                     *           "issuedAt": "2026-11-23T20:15:14.329Z",
                     *           "source": "claim"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        items: {
                            id: string;
                            templateId: string;
                            /** @enum {string} */
                            status: "available" | "locked" | "used" | "expired";
                            name: string;
                            currency: string;
                            effect: {
                                /** @constant */
                                type: "amount_off";
                                amountOff: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "percent_off";
                                percentOffBps: number;
                                maxDiscount?: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "payout_amount";
                                bonus: number;
                                minPayout?: number;
                            } | {
                                /** @constant */
                                type: "payout_percent";
                                bonusBps: number;
                                maxBonus?: number;
                                minPayout?: number;
                            };
                            scope: {
                                include?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                                exclude?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                            };
                            stacking: {
                                /** @constant */
                                type: "exclusive";
                            } | {
                                /** @constant */
                                type: "group";
                                group: string;
                            };
                            validFrom: string;
                            validUntil: string;
                            issuedAt: string;
                            /** @enum {string} */
                            source: "claim" | "campaign" | "code" | "import";
                            orderId?: string;
                        }[];
                        nextCursor?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    getCoupon: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                couponId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The coupon */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "01M850RSD97BV668GYCG5GAA2B",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "status": "available",
                     *       "name": "20 off 100 on shoes",
                     *       "currency": "EUR",
                     *       "effect": {
                     *         "type": "amount_off",
                     *         "minSpend": 10000,
                     *         "amountOff": 2000
                     *       },
                     *       "scope": {
                     *         "include": {
                     *           "categoryIds": [
                     *             "shoes"
                     *           ]
                     *         },
                     *         "exclude": {
                     *           "productIds": [
                     *             "limited-sneaker"
                     *           ]
                     *         }
                     *       },
                     *       "stacking": {
                     *         "type": "group",
                     *         "group": "default"
                     *       },
                     *       "validFrom": "2026-11-23T20:15:14.329Z",
                     *       "validUntil": "2026-12-23T20:15:14.329Z",
                     *       "issuedAt": "2026-11-23T20:15:14.329Z",
                     *       "source": "claim"
                     *     }
                     */
                    "application/json": {
                        id: string;
                        templateId: string;
                        /** @enum {string} */
                        status: "available" | "locked" | "used" | "expired";
                        name: string;
                        currency: string;
                        effect: {
                            /** @constant */
                            type: "amount_off";
                            amountOff: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "percent_off";
                            percentOffBps: number;
                            maxDiscount?: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "payout_amount";
                            bonus: number;
                            minPayout?: number;
                        } | {
                            /** @constant */
                            type: "payout_percent";
                            bonusBps: number;
                            maxBonus?: number;
                            minPayout?: number;
                        };
                        scope: {
                            include?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                            exclude?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                        };
                        stacking: {
                            /** @constant */
                            type: "exclusive";
                        } | {
                            /** @constant */
                            type: "group";
                            group: string;
                        };
                        validFrom: string;
                        validUntil: string;
                        issuedAt: string;
                        /** @enum {string} */
                        source: "claim" | "campaign" | "code" | "import";
                        orderId?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            404: components["responses"]["Error404"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    listUserCoupons: {
        parameters: {
            query?: {
                status?: "available" | "locked" | "used" | "expired";
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the user's coupons */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "01M850RSD97BV668GYCG5GAA2B",
                     *           "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *           "status": "available",
                     *           "name": "20 off 100 on shoes",
                     *           "currency": "EUR",
                     *           "effect": {
                     *             "type": "amount_off",
                     *             "minSpend": 10000,
                     *             "amountOff": 2000
                     *           },
                     *           "scope": {
                     *             "include": {
                     *               "categoryIds": [
                     *                 "shoes"
                     *               ]
                     *             },
                     *             "exclude": {
                     *               "productIds": [
                     *                 "limited-sneaker"
                     *               ]
                     *             }
                     *           },
                     *           "stacking": {
                     *             "type": "group",
                     *             "group": "default"
                     *           },
                     *           "validFrom": "2026-11-23T20:15:14.329Z",
                     *           "validUntil": "2026-12-23T20:15:14.329Z",
                     *           "issuedAt": "2026-11-23T20:15:14.329Z",
                     *           "source": "claim"
                     *         }
                     *       ],
                     *       "nextCursor": "eyJwayI6IlVTRVIjdXNlci0xMjMiLCJzayI6IkNQTiMwMU04NTBSU0Q5N0JWNjY4R1lDRzVHQUEyQiJ9"
                     *     }
                     */
                    "application/json": {
                        items: {
                            id: string;
                            templateId: string;
                            /** @enum {string} */
                            status: "available" | "locked" | "used" | "expired";
                            name: string;
                            currency: string;
                            effect: {
                                /** @constant */
                                type: "amount_off";
                                amountOff: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "percent_off";
                                percentOffBps: number;
                                maxDiscount?: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "payout_amount";
                                bonus: number;
                                minPayout?: number;
                            } | {
                                /** @constant */
                                type: "payout_percent";
                                bonusBps: number;
                                maxBonus?: number;
                                minPayout?: number;
                            };
                            scope: {
                                include?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                                exclude?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                            };
                            stacking: {
                                /** @constant */
                                type: "exclusive";
                            } | {
                                /** @constant */
                                type: "group";
                                group: string;
                            };
                            validFrom: string;
                            validUntil: string;
                            issuedAt: string;
                            /** @enum {string} */
                            source: "claim" | "campaign" | "code" | "import";
                            orderId?: string;
                        }[];
                        nextCursor?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    quoteCoupons: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "currency": "EUR",
                 *       "lines": [
                 *         {
                 *           "productId": "boot-1",
                 *           "categoryId": "shoes",
                 *           "merchantId": "shop-1",
                 *           "unitPrice": 12000,
                 *           "quantity": 1
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    /**
                     * @default purchase
                     * @enum {string}
                     */
                    kind?: "purchase" | "payout";
                    currency: string;
                    lines: {
                        productId: string;
                        categoryId: string;
                        merchantId: string;
                        unitPrice: number;
                        quantity: number;
                    }[];
                    couponIds?: string[];
                };
            };
        };
        responses: {
            /** @description Verdicts per coupon and the best combination with totals */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "kind": "purchase",
                     *       "currency": "EUR",
                     *       "subtotal": 12000,
                     *       "verdicts": [
                     *         {
                     *           "couponId": "01M850RSD97BV668GYCG5GAA2B",
                     *           "applicable": true,
                     *           "reasons": [],
                     *           "saving": 2000,
                     *           "allocations": [
                     *             {
                     *               "line": 0,
                     *               "amount": 2000
                     *             }
                     *           ],
                     *           "selected": true
                     *         }
                     *       ],
                     *       "best": {
                     *         "couponIds": [
                     *           "01M850RSD97BV668GYCG5GAA2B"
                     *         ],
                     *         "applied": [
                     *           {
                     *             "couponId": "01M850RSD97BV668GYCG5GAA2B",
                     *             "saving": 2000,
                     *             "allocations": [
                     *               {
                     *                 "line": 0,
                     *                 "amount": 2000
                     *               }
                     *             ]
                     *           }
                     *         ],
                     *         "saving": 2000,
                     *         "totals": {
                     *           "subtotal": 12000,
                     *           "adjustment": 2000,
                     *           "total": 10000
                     *         },
                     *         "lines": [
                     *           {
                     *             "line": 0,
                     *             "amount": 12000,
                     *             "adjustment": 2000,
                     *             "final": 10000
                     *           }
                     *         ]
                     *       },
                     *       "optimal": true
                     *     }
                     */
                    "application/json": {
                        /** @enum {string} */
                        kind: "purchase" | "payout";
                        currency: string;
                        subtotal: number;
                        verdicts: {
                            couponId: string;
                            applicable: boolean;
                            selected: boolean;
                            reasons: ({
                                /** @constant */
                                code: "NOT_AVAILABLE";
                                /** @enum {string} */
                                status: "available" | "locked" | "used" | "expired";
                            } | {
                                /** @constant */
                                code: "NOT_YET_VALID";
                                validFrom: string;
                            } | {
                                /** @constant */
                                code: "EXPIRED";
                                validUntil: string;
                            } | {
                                /** @constant */
                                code: "CURRENCY_MISMATCH";
                                currency: string;
                            } | {
                                /** @constant */
                                code: "WRONG_KIND";
                                /** @enum {string} */
                                appliesTo: "purchase" | "payout";
                            } | {
                                /** @constant */
                                code: "OUT_OF_SCOPE";
                            } | {
                                /** @constant */
                                code: "BLOCKED_PRODUCT";
                                productIds: string[];
                            } | {
                                /** @constant */
                                code: "BELOW_MINIMUM";
                                minimum: number;
                                eligibleAmount: number;
                                missing: number;
                            } | {
                                /** @constant */
                                code: "STACKING_CONFLICT";
                                conflictsWith: string[];
                            } | {
                                /** @constant */
                                code: "TOO_MANY_COUPONS";
                                maximum: number;
                            } | {
                                /** @constant */
                                code: "NO_EXTRA_SAVING";
                            })[];
                            saving: number;
                            allocations: {
                                line: number;
                                amount: number;
                            }[];
                        }[];
                        best: {
                            couponIds: string[];
                            applied: {
                                couponId: string;
                                saving: number;
                                allocations: {
                                    line: number;
                                    amount: number;
                                }[];
                            }[];
                            saving: number;
                            totals: {
                                subtotal: number;
                                adjustment: number;
                                total: number;
                            };
                            lines: {
                                line: number;
                                amount: number;
                                adjustment: number;
                                final: number;
                            }[];
                        };
                        /** @description True when the search proved that no combination saves more (or as much with fewer coupons); false only if its node budget ran out first */
                        optimal: boolean;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    getProductOffers: {
        parameters: {
            query: {
                categoryId: string;
                merchantId: string;
                unitPrice: number;
                currency: string;
            };
            header?: never;
            path: {
                productId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Offers for the product, the largest saving first; Cache-Control: public */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "productId": "boot-1",
                     *       "offers": [
                     *         {
                     *           "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *           "name": "20 off 100 on shoes",
                     *           "description": "Spring sale, shoes only",
                     *           "effect": {
                     *             "type": "amount_off",
                     *             "minSpend": 10000,
                     *             "amountOff": 2000
                     *           },
                     *           "scope": {
                     *             "include": {
                     *               "categoryIds": [
                     *                 "shoes"
                     *               ]
                     *             },
                     *             "exclude": {
                     *               "productIds": [
                     *                 "limited-sneaker"
                     *               ]
                     *             }
                     *           },
                     *           "stacking": {
                     *             "type": "group",
                     *             "group": "default"
                     *           },
                     *           "validUntil": "2026-12-23T20:15:14.578Z",
                     *           "perUserLimit": 2,
                     *           "applies": true,
                     *           "saving": 2000,
                     *           "reasons": []
                     *         }
                     *       ],
                     *       "maxAgeSeconds": 2
                     *     }
                     */
                    "application/json": {
                        productId: string;
                        offers: {
                            templateId: string;
                            name: string;
                            description?: string;
                            effect: {
                                /** @constant */
                                type: "amount_off";
                                amountOff: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "percent_off";
                                percentOffBps: number;
                                maxDiscount?: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "payout_amount";
                                bonus: number;
                                minPayout?: number;
                            } | {
                                /** @constant */
                                type: "payout_percent";
                                bonusBps: number;
                                maxBonus?: number;
                                minPayout?: number;
                            };
                            scope: {
                                include?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                                exclude?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                            };
                            stacking: {
                                /** @constant */
                                type: "exclusive";
                            } | {
                                /** @constant */
                                type: "group";
                                group: string;
                            };
                            /** @description When a coupon claimed now would end */
                            validUntil: string;
                            perUserLimit: number;
                            /** @description Applies to one unit at this price on its own (a minimum spend may need more in the cart) */
                            applies: boolean;
                            /** @description What it saves on one unit at this price, on its own, in minor units */
                            saving: number;
                            /** @description Why it does not apply to one unit at this price (BELOW_MINIMUM says how much more to spend) */
                            reasons: ({
                                /** @constant */
                                code: "NOT_AVAILABLE";
                                /** @enum {string} */
                                status: "available" | "locked" | "used" | "expired";
                            } | {
                                /** @constant */
                                code: "NOT_YET_VALID";
                                validFrom: string;
                            } | {
                                /** @constant */
                                code: "EXPIRED";
                                validUntil: string;
                            } | {
                                /** @constant */
                                code: "CURRENCY_MISMATCH";
                                currency: string;
                            } | {
                                /** @constant */
                                code: "WRONG_KIND";
                                /** @enum {string} */
                                appliesTo: "purchase" | "payout";
                            } | {
                                /** @constant */
                                code: "OUT_OF_SCOPE";
                            } | {
                                /** @constant */
                                code: "BLOCKED_PRODUCT";
                                productIds: string[];
                            } | {
                                /** @constant */
                                code: "BELOW_MINIMUM";
                                minimum: number;
                                eligibleAmount: number;
                                missing: number;
                            } | {
                                /** @constant */
                                code: "STACKING_CONFLICT";
                                conflictsWith: string[];
                            } | {
                                /** @constant */
                                code: "TOO_MANY_COUPONS";
                                maximum: number;
                            } | {
                                /** @constant */
                                code: "NO_EXTRA_SAVING";
                            })[];
                        }[];
                        maxAgeSeconds: number;
                    };
                };
            };
            400: components["responses"]["Error400"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    getMyProductCoupons: {
        parameters: {
            query: {
                categoryId: string;
                merchantId: string;
                unitPrice: number;
                currency: string;
            };
            header?: never;
            path: {
                productId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What I can claim and what I hold for this product; Cache-Control: private */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "productId": "boot-1",
                     *       "claimable": [
                     *         {
                     *           "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *           "name": "20 off 100 on shoes",
                     *           "description": "Spring sale, shoes only",
                     *           "effect": {
                     *             "type": "amount_off",
                     *             "minSpend": 10000,
                     *             "amountOff": 2000
                     *           },
                     *           "scope": {
                     *             "include": {
                     *               "categoryIds": [
                     *                 "shoes"
                     *               ]
                     *             },
                     *             "exclude": {
                     *               "productIds": [
                     *                 "limited-sneaker"
                     *               ]
                     *             }
                     *           },
                     *           "stacking": {
                     *             "type": "group",
                     *             "group": "default"
                     *           },
                     *           "validUntil": "2026-12-23T20:15:14.594Z",
                     *           "perUserLimit": 2,
                     *           "applies": true,
                     *           "saving": 2000,
                     *           "reasons": [],
                     *           "claimedByMe": 1
                     *         }
                     *       ],
                     *       "mine": [
                     *         {
                     *           "couponId": "01M850RSD97BV668GYCG5GAA2B",
                     *           "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *           "name": "20 off 100 on shoes",
                     *           "validUntil": "2026-12-23T20:15:14.329Z",
                     *           "applies": true,
                     *           "saving": 2000,
                     *           "reasons": []
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        productId: string;
                        claimable: {
                            templateId: string;
                            name: string;
                            description?: string;
                            effect: {
                                /** @constant */
                                type: "amount_off";
                                amountOff: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "percent_off";
                                percentOffBps: number;
                                maxDiscount?: number;
                                minSpend?: number;
                            } | {
                                /** @constant */
                                type: "payout_amount";
                                bonus: number;
                                minPayout?: number;
                            } | {
                                /** @constant */
                                type: "payout_percent";
                                bonusBps: number;
                                maxBonus?: number;
                                minPayout?: number;
                            };
                            scope: {
                                include?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                                exclude?: {
                                    productIds?: string[];
                                    categoryIds?: string[];
                                    merchantIds?: string[];
                                };
                            };
                            stacking: {
                                /** @constant */
                                type: "exclusive";
                            } | {
                                /** @constant */
                                type: "group";
                                group: string;
                            };
                            /** @description When a coupon claimed now would end */
                            validUntil: string;
                            perUserLimit: number;
                            /** @description Applies to one unit at this price on its own (a minimum spend may need more in the cart) */
                            applies: boolean;
                            /** @description What it saves on one unit at this price, on its own, in minor units */
                            saving: number;
                            /** @description Why it does not apply to one unit at this price (BELOW_MINIMUM says how much more to spend) */
                            reasons: ({
                                /** @constant */
                                code: "NOT_AVAILABLE";
                                /** @enum {string} */
                                status: "available" | "locked" | "used" | "expired";
                            } | {
                                /** @constant */
                                code: "NOT_YET_VALID";
                                validFrom: string;
                            } | {
                                /** @constant */
                                code: "EXPIRED";
                                validUntil: string;
                            } | {
                                /** @constant */
                                code: "CURRENCY_MISMATCH";
                                currency: string;
                            } | {
                                /** @constant */
                                code: "WRONG_KIND";
                                /** @enum {string} */
                                appliesTo: "purchase" | "payout";
                            } | {
                                /** @constant */
                                code: "OUT_OF_SCOPE";
                            } | {
                                /** @constant */
                                code: "BLOCKED_PRODUCT";
                                productIds: string[];
                            } | {
                                /** @constant */
                                code: "BELOW_MINIMUM";
                                minimum: number;
                                eligibleAmount: number;
                                missing: number;
                            } | {
                                /** @constant */
                                code: "STACKING_CONFLICT";
                                conflictsWith: string[];
                            } | {
                                /** @constant */
                                code: "TOO_MANY_COUPONS";
                                maximum: number;
                            } | {
                                /** @constant */
                                code: "NO_EXTRA_SAVING";
                            })[];
                            claimedByMe: number;
                        }[];
                        mine: {
                            couponId: string;
                            templateId: string;
                            name: string;
                            validUntil: string;
                            /** @description Applies to one unit at this price on its own (a minimum spend may need more in the cart) */
                            applies: boolean;
                            /** @description What it saves on one unit at this price, on its own, in minor units */
                            saving: number;
                            /** @description Why it does not apply to one unit at this price (BELOW_MINIMUM says how much more to spend) */
                            reasons: ({
                                /** @constant */
                                code: "NOT_AVAILABLE";
                                /** @enum {string} */
                                status: "available" | "locked" | "used" | "expired";
                            } | {
                                /** @constant */
                                code: "NOT_YET_VALID";
                                validFrom: string;
                            } | {
                                /** @constant */
                                code: "EXPIRED";
                                validUntil: string;
                            } | {
                                /** @constant */
                                code: "CURRENCY_MISMATCH";
                                currency: string;
                            } | {
                                /** @constant */
                                code: "WRONG_KIND";
                                /** @enum {string} */
                                appliesTo: "purchase" | "payout";
                            } | {
                                /** @constant */
                                code: "OUT_OF_SCOPE";
                            } | {
                                /** @constant */
                                code: "BLOCKED_PRODUCT";
                                productIds: string[];
                            } | {
                                /** @constant */
                                code: "BELOW_MINIMUM";
                                minimum: number;
                                eligibleAmount: number;
                                missing: number;
                            } | {
                                /** @constant */
                                code: "STACKING_CONFLICT";
                                conflictsWith: string[];
                            } | {
                                /** @constant */
                                code: "TOO_MANY_COUPONS";
                                maximum: number;
                            } | {
                                /** @constant */
                                code: "NO_EXTRA_SAVING";
                            })[];
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    getOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "orderId": "web-1001",
                     *       "kind": "purchase",
                     *       "lockedAt": "2026-11-23T20:15:14.671Z",
                     *       "userId": "user-123",
                     *       "refunds": [],
                     *       "lockExpiresAt": "2026-11-23T20:45:14.671Z",
                     *       "currency": "EUR",
                     *       "state": "locked",
                     *       "pricing": {
                     *         "saving": 2000,
                     *         "couponIds": [
                     *           "01M850RSD97BV668GYCG5GAA2B"
                     *         ],
                     *         "totals": {
                     *           "subtotal": 12000,
                     *           "adjustment": 2000,
                     *           "total": 10000
                     *         },
                     *         "lines": [
                     *           {
                     *             "final": 10000,
                     *             "amount": 12000,
                     *             "adjustment": 2000,
                     *             "line": 0
                     *           }
                     *         ],
                     *         "applied": [
                     *           {
                     *             "couponId": "01M850RSD97BV668GYCG5GAA2B",
                     *             "allocations": [
                     *               {
                     *                 "line": 0,
                     *                 "amount": 2000
                     *               }
                     *             ],
                     *             "saving": 2000
                     *           }
                     *         ]
                     *       },
                     *       "couponIds": [
                     *         "01M850RSD97BV668GYCG5GAA2B"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        orderId: string;
                        userId: string;
                        /** @enum {string} */
                        state: "locked" | "confirmed" | "partially_refunded" | "refunded" | "cancelled" | "released";
                        couponIds: string[];
                        currency: string;
                        /** @enum {string} */
                        kind: "purchase" | "payout";
                        pricing: {
                            couponIds: string[];
                            applied: {
                                couponId: string;
                                saving: number;
                                allocations: {
                                    line: number;
                                    amount: number;
                                }[];
                            }[];
                            saving: number;
                            totals: {
                                subtotal: number;
                                adjustment: number;
                                total: number;
                            };
                            lines: {
                                line: number;
                                amount: number;
                                adjustment: number;
                                final: number;
                            }[];
                        };
                        lockedAt: string;
                        lockExpiresAt: string;
                        confirmedAt?: string;
                        cancelledAt?: string;
                        releasedAt?: string;
                        refunds: {
                            couponId: string;
                            /** @enum {string} */
                            outcome: "returned" | "kept";
                            /** @enum {string} */
                            reason?: "EXPIRED" | "NOT_RETURNABLE";
                            at: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    lockOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "userId": "user-123",
                 *       "couponIds": [
                 *         "01M850RSD97BV668GYCG5GAA2B"
                 *       ],
                 *       "currency": "EUR",
                 *       "items": [
                 *         {
                 *           "productId": "boot-1",
                 *           "categoryId": "shoes",
                 *           "merchantId": "shop-1",
                 *           "unitPrice": 12000,
                 *           "quantity": 1
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    userId: string;
                    couponIds: string[];
                    /**
                     * @default purchase
                     * @enum {string}
                     */
                    kind?: "purchase" | "payout";
                    currency: string;
                    items: {
                        productId: string;
                        categoryId: string;
                        merchantId: string;
                        unitPrice: number;
                        quantity: number;
                    }[];
                    lockMinutes?: number;
                };
            };
        };
        responses: {
            /** @description The locked order with its pricing */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "orderId": "web-1001",
                     *       "userId": "user-123",
                     *       "state": "locked",
                     *       "pricing": {
                     *         "couponIds": [
                     *           "01M850RSD97BV668GYCG5GAA2B"
                     *         ],
                     *         "applied": [
                     *           {
                     *             "couponId": "01M850RSD97BV668GYCG5GAA2B",
                     *             "saving": 2000,
                     *             "allocations": [
                     *               {
                     *                 "line": 0,
                     *                 "amount": 2000
                     *               }
                     *             ]
                     *           }
                     *         ],
                     *         "saving": 2000,
                     *         "totals": {
                     *           "subtotal": 12000,
                     *           "adjustment": 2000,
                     *           "total": 10000
                     *         },
                     *         "lines": [
                     *           {
                     *             "line": 0,
                     *             "amount": 12000,
                     *             "adjustment": 2000,
                     *             "final": 10000
                     *           }
                     *         ]
                     *       },
                     *       "currency": "EUR",
                     *       "kind": "purchase",
                     *       "lockedAt": "2026-11-23T20:15:14.671Z",
                     *       "lockExpiresAt": "2026-11-23T20:45:14.671Z",
                     *       "refunds": [],
                     *       "couponIds": [
                     *         "01M850RSD97BV668GYCG5GAA2B"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        orderId: string;
                        userId: string;
                        /** @enum {string} */
                        state: "locked" | "confirmed" | "partially_refunded" | "refunded" | "cancelled" | "released";
                        couponIds: string[];
                        currency: string;
                        /** @enum {string} */
                        kind: "purchase" | "payout";
                        pricing: {
                            couponIds: string[];
                            applied: {
                                couponId: string;
                                saving: number;
                                allocations: {
                                    line: number;
                                    amount: number;
                                }[];
                            }[];
                            saving: number;
                            totals: {
                                subtotal: number;
                                adjustment: number;
                                total: number;
                            };
                            lines: {
                                line: number;
                                amount: number;
                                adjustment: number;
                                final: number;
                            }[];
                        };
                        lockedAt: string;
                        lockExpiresAt: string;
                        confirmedAt?: string;
                        cancelledAt?: string;
                        releasedAt?: string;
                        refunds: {
                            couponId: string;
                            /** @enum {string} */
                            outcome: "returned" | "kept";
                            /** @enum {string} */
                            reason?: "EXPIRED" | "NOT_RETURNABLE";
                            at: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    confirmOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The confirmed order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "orderId": "web-1001",
                     *       "kind": "purchase",
                     *       "lockedAt": "2026-11-23T20:15:14.671Z",
                     *       "userId": "user-123",
                     *       "refunds": [],
                     *       "lockExpiresAt": "2026-11-23T20:45:14.671Z",
                     *       "currency": "EUR",
                     *       "state": "confirmed",
                     *       "pricing": {
                     *         "saving": 2000,
                     *         "couponIds": [
                     *           "01M850RSD97BV668GYCG5GAA2B"
                     *         ],
                     *         "totals": {
                     *           "subtotal": 12000,
                     *           "adjustment": 2000,
                     *           "total": 10000
                     *         },
                     *         "lines": [
                     *           {
                     *             "final": 10000,
                     *             "amount": 12000,
                     *             "adjustment": 2000,
                     *             "line": 0
                     *           }
                     *         ],
                     *         "applied": [
                     *           {
                     *             "couponId": "01M850RSD97BV668GYCG5GAA2B",
                     *             "allocations": [
                     *               {
                     *                 "line": 0,
                     *                 "amount": 2000
                     *               }
                     *             ],
                     *             "saving": 2000
                     *           }
                     *         ]
                     *       },
                     *       "confirmedAt": "2026-11-23T20:15:14.816Z",
                     *       "couponIds": [
                     *         "01M850RSD97BV668GYCG5GAA2B"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        orderId: string;
                        userId: string;
                        /** @enum {string} */
                        state: "locked" | "confirmed" | "partially_refunded" | "refunded" | "cancelled" | "released";
                        couponIds: string[];
                        currency: string;
                        /** @enum {string} */
                        kind: "purchase" | "payout";
                        pricing: {
                            couponIds: string[];
                            applied: {
                                couponId: string;
                                saving: number;
                                allocations: {
                                    line: number;
                                    amount: number;
                                }[];
                            }[];
                            saving: number;
                            totals: {
                                subtotal: number;
                                adjustment: number;
                                total: number;
                            };
                            lines: {
                                line: number;
                                amount: number;
                                adjustment: number;
                                final: number;
                            }[];
                        };
                        lockedAt: string;
                        lockExpiresAt: string;
                        confirmedAt?: string;
                        cancelledAt?: string;
                        releasedAt?: string;
                        refunds: {
                            couponId: string;
                            /** @enum {string} */
                            outcome: "returned" | "kept";
                            /** @enum {string} */
                            reason?: "EXPIRED" | "NOT_RETURNABLE";
                            at: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    cancelOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The cancelled order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "orderId": "web-1002",
                     *       "kind": "purchase",
                     *       "lockedAt": "2026-11-23T20:15:14.978Z",
                     *       "userId": "user-123",
                     *       "refunds": [],
                     *       "lockExpiresAt": "2026-11-23T20:45:14.978Z",
                     *       "currency": "EUR",
                     *       "state": "cancelled",
                     *       "pricing": {
                     *         "saving": 2000,
                     *         "couponIds": [
                     *           "01M850RSZH78RJ1F9TDCFH73NE"
                     *         ],
                     *         "totals": {
                     *           "subtotal": 12000,
                     *           "adjustment": 2000,
                     *           "total": 10000
                     *         },
                     *         "lines": [
                     *           {
                     *             "final": 10000,
                     *             "amount": 12000,
                     *             "adjustment": 2000,
                     *             "line": 0
                     *           }
                     *         ],
                     *         "applied": [
                     *           {
                     *             "couponId": "01M850RSZH78RJ1F9TDCFH73NE",
                     *             "allocations": [
                     *               {
                     *                 "line": 0,
                     *                 "amount": 2000
                     *               }
                     *             ],
                     *             "saving": 2000
                     *           }
                     *         ]
                     *       },
                     *       "cancelledAt": "2026-11-23T20:15:15.062Z",
                     *       "couponIds": [
                     *         "01M850RSZH78RJ1F9TDCFH73NE"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        orderId: string;
                        userId: string;
                        /** @enum {string} */
                        state: "locked" | "confirmed" | "partially_refunded" | "refunded" | "cancelled" | "released";
                        couponIds: string[];
                        currency: string;
                        /** @enum {string} */
                        kind: "purchase" | "payout";
                        pricing: {
                            couponIds: string[];
                            applied: {
                                couponId: string;
                                saving: number;
                                allocations: {
                                    line: number;
                                    amount: number;
                                }[];
                            }[];
                            saving: number;
                            totals: {
                                subtotal: number;
                                adjustment: number;
                                total: number;
                            };
                            lines: {
                                line: number;
                                amount: number;
                                adjustment: number;
                                final: number;
                            }[];
                        };
                        lockedAt: string;
                        lockExpiresAt: string;
                        confirmedAt?: string;
                        cancelledAt?: string;
                        releasedAt?: string;
                        refunds: {
                            couponId: string;
                            /** @enum {string} */
                            outcome: "returned" | "kept";
                            /** @enum {string} */
                            reason?: "EXPIRED" | "NOT_RETURNABLE";
                            at: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    refundOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "couponIds": [
                 *         "01M850RSD97BV668GYCG5GAA2B"
                 *       ]
                 *     }
                 */
                "application/json": {
                    couponIds?: string[];
                };
            };
        };
        responses: {
            /** @description The order with each coupon's refund outcome */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "orderId": "web-1001",
                     *       "kind": "purchase",
                     *       "lockedAt": "2026-11-23T20:15:14.671Z",
                     *       "userId": "user-123",
                     *       "refunds": [
                     *         {
                     *           "couponId": "01M850RSD97BV668GYCG5GAA2B",
                     *           "outcome": "returned",
                     *           "at": "2026-11-23T20:15:14.872Z"
                     *         }
                     *       ],
                     *       "lockExpiresAt": "2026-11-23T20:45:14.671Z",
                     *       "currency": "EUR",
                     *       "state": "refunded",
                     *       "confirmedAt": "2026-11-23T20:15:14.816Z",
                     *       "pricing": {
                     *         "saving": 2000,
                     *         "couponIds": [
                     *           "01M850RSD97BV668GYCG5GAA2B"
                     *         ],
                     *         "totals": {
                     *           "subtotal": 12000,
                     *           "adjustment": 2000,
                     *           "total": 10000
                     *         },
                     *         "lines": [
                     *           {
                     *             "final": 10000,
                     *             "amount": 12000,
                     *             "adjustment": 2000,
                     *             "line": 0
                     *           }
                     *         ],
                     *         "applied": [
                     *           {
                     *             "couponId": "01M850RSD97BV668GYCG5GAA2B",
                     *             "allocations": [
                     *               {
                     *                 "line": 0,
                     *                 "amount": 2000
                     *               }
                     *             ],
                     *             "saving": 2000
                     *           }
                     *         ]
                     *       },
                     *       "couponIds": [
                     *         "01M850RSD97BV668GYCG5GAA2B"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        orderId: string;
                        userId: string;
                        /** @enum {string} */
                        state: "locked" | "confirmed" | "partially_refunded" | "refunded" | "cancelled" | "released";
                        couponIds: string[];
                        currency: string;
                        /** @enum {string} */
                        kind: "purchase" | "payout";
                        pricing: {
                            couponIds: string[];
                            applied: {
                                couponId: string;
                                saving: number;
                                allocations: {
                                    line: number;
                                    amount: number;
                                }[];
                            }[];
                            saving: number;
                            totals: {
                                subtotal: number;
                                adjustment: number;
                                total: number;
                            };
                            lines: {
                                line: number;
                                amount: number;
                                adjustment: number;
                                final: number;
                            }[];
                        };
                        lockedAt: string;
                        lockExpiresAt: string;
                        confirmedAt?: string;
                        cancelledAt?: string;
                        releasedAt?: string;
                        refunds: {
                            couponId: string;
                            /** @enum {string} */
                            outcome: "returned" | "kept";
                            /** @enum {string} */
                            reason?: "EXPIRED" | "NOT_RETURNABLE";
                            at: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    getTemplateStatistics: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                templateId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The template's statistics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "stock": {
                     *         "total": 1500,
                     *         "remaining": 1498
                     *       },
                     *       "counters": {
                     *         "issued": 0,
                     *         "available": 0,
                     *         "locked": 0,
                     *         "used": 0,
                     *         "expired": 0,
                     *         "lockedTotal": 0,
                     *         "usedTotal": 0,
                     *         "releasedTotal": 0,
                     *         "returnedTotal": 0,
                     *         "expiredTotal": 0,
                     *         "remindersSent": 0
                     *       }
                     *     }
                     */
                    "application/json": {
                        templateId: string;
                        stock: {
                            total: number;
                            remaining: number;
                        };
                        counters: {
                            issued: number;
                            available: number;
                            locked: number;
                            used: number;
                            expired: number;
                            lockedTotal: number;
                            usedTotal: number;
                            releasedTotal: number;
                            returnedTotal: number;
                            expiredTotal: number;
                            remindersSent: number;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    getStockLedger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                templateId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The ledger */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "added": 6500,
                     *       "inShards": 6454,
                     *       "issued": {
                     *         "claims": 2,
                     *         "campaigns": 43,
                     *         "codes": 1,
                     *         "carriedOver": 0,
                     *         "total": 46
                     *       },
                     *       "reservedOutstanding": 0,
                     *       "difference": 0,
                     *       "balanced": true,
                     *       "checks": [
                     *         {
                     *           "name": "equation",
                     *           "ok": true,
                     *           "detail": "added 6500 = in shards 6454 + issued 46 + reserved 0"
                     *         },
                     *         {
                     *           "name": "shards-added",
                     *           "ok": true,
                     *           "detail": "the shards received 6500 (+ 0 carried over), the template counts 6500"
                     *         },
                     *         {
                     *           "name": "shard-flows",
                     *           "ok": true,
                     *           "detail": "every shard: added = available + claimed + reserved - returned"
                     *         },
                     *         {
                     *           "name": "reservations",
                     *           "ok": true,
                     *           "detail": "shards reserved 2006 / campaigns and code batches 2006; shards got back 1962 / campaigns and code batches gave back 1962"
                     *         },
                     *         {
                     *           "name": "campaign-outstanding",
                     *           "ok": true,
                     *           "detail": "every campaign: outstanding = pool + in flight, none negative"
                     *         },
                     *         {
                     *           "name": "code-batches",
                     *           "ok": true,
                     *           "detail": "every code batch: outstanding = units of its unredeemed codes, none negative"
                     *         }
                     *       ],
                     *       "campaigns": [
                     *         {
                     *           "campaignId": "spring-vip",
                     *           "status": "completed",
                     *           "reserved": 3,
                     *           "issued": 3,
                     *           "givenBack": 0,
                     *           "outstanding": 0,
                     *           "pool": 0,
                     *           "inFlight": 0
                     *         },
                     *         {
                     *           "campaignId": "summer",
                     *           "status": "cancelled",
                     *           "reserved": 2000,
                     *           "issued": 40,
                     *           "givenBack": 1960,
                     *           "outstanding": 0,
                     *           "pool": 0,
                     *           "inFlight": 0
                     *         }
                     *       ],
                     *       "codeBatches": [
                     *         {
                     *           "batchId": "spring-sms",
                     *           "status": "revoked",
                     *           "reserved": 3,
                     *           "redeemed": 1,
                     *           "givenBack": 2,
                     *           "outstanding": 0
                     *         }
                     *       ],
                     *       "couponsCounted": 0,
                     *       "checkedAt": "2026-11-23T20:15:23.732Z"
                     *     }
                     */
                    "application/json": {
                        templateId: string;
                        added: number;
                        inShards: number;
                        issued: {
                            claims: number;
                            campaigns: number;
                            codes: number;
                            carriedOver: number;
                            total: number;
                        };
                        reservedOutstanding: number;
                        difference: number;
                        balanced: boolean;
                        checks: {
                            name: string;
                            ok: boolean;
                            detail: string;
                        }[];
                        campaigns: {
                            campaignId: string;
                            status: string;
                            reserved: number;
                            issued: number;
                            givenBack: number;
                            outstanding: number;
                            pool: number;
                            inFlight: number;
                        }[];
                        codeBatches: {
                            batchId: string;
                            status: string;
                            reserved: number;
                            redeemed: number;
                            givenBack: number;
                            outstanding: number;
                        }[];
                        couponsCounted: number;
                        checkedAt: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    listCampaigns: {
        parameters: {
            query?: {
                templateId?: string;
                status?: "requested" | "preparing" | "running" | "paused" | "completed" | "cancelled" | "failed";
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of campaigns */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "campaignId": "spring-vip",
                     *           "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *           "status": "completed",
                     *           "total": 3,
                     *           "reserved": 3,
                     *           "requestedAt": "2026-11-23T20:15:15.178Z",
                     *           "startedAt": "2026-11-23T20:15:15.232Z",
                     *           "endedAt": "2026-11-23T20:15:15.745Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        items: {
                            campaignId: string;
                            templateId: string;
                            /** @enum {string} */
                            status: "requested" | "preparing" | "running" | "paused" | "completed" | "cancelled" | "failed";
                            /** @enum {string} */
                            reason?: "OPERATOR" | "TEMPLATE_NOT_ACTIVE" | "TEMPLATE_NOT_FOUND" | "VALIDITY_ENDED" | "EMPTY_AUDIENCE" | "INSUFFICIENT_STOCK" | "STOCK_CONTENTION" | "DEADLINE" | "HELD_STOCK_RELEASED";
                            total: number;
                            reserved: number;
                            requestedAt: string;
                            startedAt?: string;
                            endedAt?: string;
                        }[];
                        nextCursor?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    requestCampaign: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "campaignId": "spring-vip",
                 *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                 *       "audience": {
                 *         "type": "inline",
                 *         "userIds": [
                 *           "user-1",
                 *           "user-2",
                 *           "user-3"
                 *         ]
                 *       },
                 *       "rate": {
                 *         "batchSize": 500,
                 *         "maxConcurrency": 4
                 *       }
                 *     }
                 */
                "application/json": {
                    campaignId: string;
                    templateId: string;
                    audience: {
                        /** @constant */
                        type: "inline";
                        userIds: string[];
                    } | {
                        /** @constant */
                        type: "s3";
                        bucket: string;
                        key: string;
                    };
                    /**
                     * @default {
                     *       "batchSize": 500,
                     *       "maxConcurrency": 10
                     *     }
                     */
                    rate?: {
                        /** @default 500 */
                        batchSize?: number;
                        /** @default 10 */
                        maxConcurrency?: number;
                    };
                };
            };
        };
        responses: {
            /** @description Accepted (or the existing campaign); follow it at GET /v1/admin/campaigns/{campaignId} */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "campaignId": "spring-vip",
                     *       "status": "requested"
                     *     }
                     */
                    "application/json": {
                        campaignId: string;
                        /** @enum {string} */
                        status: "requested" | "preparing" | "running" | "paused" | "completed" | "cancelled" | "failed";
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    createAudienceUpload: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "fileName": "spring-vip.txt"
                 *     }
                 */
                "application/json": {
                    fileName?: string;
                };
            };
        };
        responses: {
            /** @description Where to PUT the file (for 15 minutes) and the audience to request the campaign with */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "audience": {
                     *         "type": "s3",
                     *         "bucket": "coupon-audiences-local",
                     *         "key": "uploads/2026-11-23/01M850RT5PHSBFK2X7JSSD7M6J-spring-vip.txt"
                     *       },
                     *       "upload": {
                     *         "method": "PUT",
                     *         "url": "http://127.0.0.1:32935/coupon-audiences-local/uploads/2026-11-23/01M850RT5PHSBFK2X7JSSD7M6J-spring-vip.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Credential=local%2F20261123%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261123T201515Z&X-Amz-Expires=900&X-Amz-Signature=38aac868071b6d11e3a4ddb8484aaf8330485d1ea9fcaecd2ddcd4a26be0a84f&X-Amz-SignedHeaders=host&x-amz-checksum-crc32=AAAAAA%3D%3D&x-amz-sdk-checksum-algorithm=CRC32&x-id=PutObject",
                     *         "headers": {
                     *           "content-type": "text/plain"
                     *         },
                     *         "expiresAt": "2026-11-23T20:30:15.126Z"
                     *       }
                     *     }
                     */
                    "application/json": {
                        audience: {
                            /** @constant */
                            type: "s3";
                            bucket: string;
                            key: string;
                        };
                        upload: {
                            /** @constant */
                            method: "PUT";
                            url: string;
                            headers: {
                                /** @constant */
                                "content-type": "text/plain";
                            };
                            expiresAt: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    getCampaign: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                campaignId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The campaign */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "campaignId": "spring-vip",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "status": "completed",
                     *       "total": 3,
                     *       "processed": 3,
                     *       "issued": 3,
                     *       "skipped": 0,
                     *       "failed": 0,
                     *       "skippedByReason": {
                     *         "DUPLICATE": 0,
                     *         "LIMIT_REACHED": 0,
                     *         "VALIDITY_ENDED": 0
                     *       },
                     *       "stock": {
                     *         "reserved": 3,
                     *         "givenBack": 0,
                     *         "outstanding": 0
                     *       },
                     *       "requestedAt": "2026-11-23T20:15:15.178Z",
                     *       "startedAt": "2026-11-23T20:15:15.232Z",
                     *       "completedAt": "2026-11-23T20:15:15.745Z",
                     *       "endedAt": "2026-11-23T20:15:15.745Z",
                     *       "history": [
                     *         {
                     *           "status": "requested",
                     *           "at": "2026-11-23T20:15:15.178Z"
                     *         },
                     *         {
                     *           "status": "preparing",
                     *           "at": "2026-11-23T20:15:15.232Z"
                     *         },
                     *         {
                     *           "status": "running",
                     *           "at": "2026-11-23T20:15:15.232Z"
                     *         },
                     *         {
                     *           "status": "completed",
                     *           "at": "2026-11-23T20:15:15.745Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        processed: number;
                        issued: number;
                        skipped: number;
                        failed: number;
                        campaignId: string;
                        templateId: string;
                        /** @enum {string} */
                        status: "requested" | "preparing" | "running" | "paused" | "completed" | "cancelled" | "failed";
                        /** @enum {string} */
                        reason?: "OPERATOR" | "TEMPLATE_NOT_ACTIVE" | "TEMPLATE_NOT_FOUND" | "VALIDITY_ENDED" | "EMPTY_AUDIENCE" | "INSUFFICIENT_STOCK" | "STOCK_CONTENTION" | "DEADLINE" | "HELD_STOCK_RELEASED";
                        total: number;
                        skippedByReason: {
                            DUPLICATE: number;
                            LIMIT_REACHED: number;
                            VALIDITY_ENDED: number;
                        };
                        stock: {
                            reserved: number;
                            givenBack: number;
                            outstanding: number;
                        };
                        requestedAt: string;
                        startedAt: string;
                        completedAt?: string;
                        endedAt?: string;
                        history: {
                            /** @enum {string} */
                            status: "requested" | "preparing" | "running" | "paused" | "completed" | "cancelled" | "failed";
                            /** @enum {string} */
                            reason?: "OPERATOR" | "TEMPLATE_NOT_ACTIVE" | "TEMPLATE_NOT_FOUND" | "VALIDITY_ENDED" | "EMPTY_AUDIENCE" | "INSUFFICIENT_STOCK" | "STOCK_CONTENTION" | "DEADLINE" | "HELD_STOCK_RELEASED";
                            at: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    pauseCampaign: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                campaignId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The paused campaign */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "campaignId": "summer",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "status": "paused",
                     *       "reason": "OPERATOR",
                     *       "total": 2000,
                     *       "processed": 5,
                     *       "issued": 5,
                     *       "skipped": 0,
                     *       "failed": 0,
                     *       "skippedByReason": {
                     *         "DUPLICATE": 0,
                     *         "LIMIT_REACHED": 0,
                     *         "VALIDITY_ENDED": 0
                     *       },
                     *       "stock": {
                     *         "reserved": 2000,
                     *         "givenBack": 0,
                     *         "outstanding": 1995
                     *       },
                     *       "requestedAt": "2026-11-23T20:15:16.166Z",
                     *       "startedAt": "2026-11-23T20:15:16.217Z",
                     *       "history": [
                     *         {
                     *           "status": "requested",
                     *           "at": "2026-11-23T20:15:16.166Z"
                     *         },
                     *         {
                     *           "status": "preparing",
                     *           "at": "2026-11-23T20:15:16.217Z"
                     *         },
                     *         {
                     *           "status": "running",
                     *           "at": "2026-11-23T20:15:16.217Z"
                     *         },
                     *         {
                     *           "reason": "OPERATOR",
                     *           "status": "paused",
                     *           "at": "2026-11-23T20:15:16.938Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        processed: number;
                        issued: number;
                        skipped: number;
                        failed: number;
                        campaignId: string;
                        templateId: string;
                        /** @enum {string} */
                        status: "requested" | "preparing" | "running" | "paused" | "completed" | "cancelled" | "failed";
                        /** @enum {string} */
                        reason?: "OPERATOR" | "TEMPLATE_NOT_ACTIVE" | "TEMPLATE_NOT_FOUND" | "VALIDITY_ENDED" | "EMPTY_AUDIENCE" | "INSUFFICIENT_STOCK" | "STOCK_CONTENTION" | "DEADLINE" | "HELD_STOCK_RELEASED";
                        total: number;
                        skippedByReason: {
                            DUPLICATE: number;
                            LIMIT_REACHED: number;
                            VALIDITY_ENDED: number;
                        };
                        stock: {
                            reserved: number;
                            givenBack: number;
                            outstanding: number;
                        };
                        requestedAt: string;
                        startedAt: string;
                        completedAt?: string;
                        endedAt?: string;
                        history: {
                            /** @enum {string} */
                            status: "requested" | "preparing" | "running" | "paused" | "completed" | "cancelled" | "failed";
                            /** @enum {string} */
                            reason?: "OPERATOR" | "TEMPLATE_NOT_ACTIVE" | "TEMPLATE_NOT_FOUND" | "VALIDITY_ENDED" | "EMPTY_AUDIENCE" | "INSUFFICIENT_STOCK" | "STOCK_CONTENTION" | "DEADLINE" | "HELD_STOCK_RELEASED";
                            at: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    resumeCampaign: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                campaignId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The running campaign */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "campaignId": "summer",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "status": "running",
                     *       "total": 2000,
                     *       "processed": 20,
                     *       "issued": 20,
                     *       "skipped": 0,
                     *       "failed": 0,
                     *       "skippedByReason": {
                     *         "DUPLICATE": 0,
                     *         "LIMIT_REACHED": 0,
                     *         "VALIDITY_ENDED": 0
                     *       },
                     *       "stock": {
                     *         "reserved": 2000,
                     *         "givenBack": 0,
                     *         "outstanding": 1980
                     *       },
                     *       "requestedAt": "2026-11-23T20:15:16.166Z",
                     *       "startedAt": "2026-11-23T20:15:16.217Z",
                     *       "history": [
                     *         {
                     *           "status": "requested",
                     *           "at": "2026-11-23T20:15:16.166Z"
                     *         },
                     *         {
                     *           "status": "preparing",
                     *           "at": "2026-11-23T20:15:16.217Z"
                     *         },
                     *         {
                     *           "status": "running",
                     *           "at": "2026-11-23T20:15:16.217Z"
                     *         },
                     *         {
                     *           "reason": "OPERATOR",
                     *           "status": "paused",
                     *           "at": "2026-11-23T20:15:16.938Z"
                     *         },
                     *         {
                     *           "status": "running",
                     *           "at": "2026-11-23T20:15:17.760Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        processed: number;
                        issued: number;
                        skipped: number;
                        failed: number;
                        campaignId: string;
                        templateId: string;
                        /** @enum {string} */
                        status: "requested" | "preparing" | "running" | "paused" | "completed" | "cancelled" | "failed";
                        /** @enum {string} */
                        reason?: "OPERATOR" | "TEMPLATE_NOT_ACTIVE" | "TEMPLATE_NOT_FOUND" | "VALIDITY_ENDED" | "EMPTY_AUDIENCE" | "INSUFFICIENT_STOCK" | "STOCK_CONTENTION" | "DEADLINE" | "HELD_STOCK_RELEASED";
                        total: number;
                        skippedByReason: {
                            DUPLICATE: number;
                            LIMIT_REACHED: number;
                            VALIDITY_ENDED: number;
                        };
                        stock: {
                            reserved: number;
                            givenBack: number;
                            outstanding: number;
                        };
                        requestedAt: string;
                        startedAt: string;
                        completedAt?: string;
                        endedAt?: string;
                        history: {
                            /** @enum {string} */
                            status: "requested" | "preparing" | "running" | "paused" | "completed" | "cancelled" | "failed";
                            /** @enum {string} */
                            reason?: "OPERATOR" | "TEMPLATE_NOT_ACTIVE" | "TEMPLATE_NOT_FOUND" | "VALIDITY_ENDED" | "EMPTY_AUDIENCE" | "INSUFFICIENT_STOCK" | "STOCK_CONTENTION" | "DEADLINE" | "HELD_STOCK_RELEASED";
                            at: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    cancelCampaign: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                campaignId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The cancelled campaign */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "campaignId": "summer",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "status": "cancelled",
                     *       "reason": "OPERATOR",
                     *       "total": 2000,
                     *       "processed": 40,
                     *       "issued": 40,
                     *       "skipped": 0,
                     *       "failed": 0,
                     *       "skippedByReason": {
                     *         "DUPLICATE": 0,
                     *         "LIMIT_REACHED": 0,
                     *         "VALIDITY_ENDED": 0
                     *       },
                     *       "stock": {
                     *         "reserved": 2000,
                     *         "givenBack": 1960,
                     *         "outstanding": 0
                     *       },
                     *       "requestedAt": "2026-11-23T20:15:16.166Z",
                     *       "startedAt": "2026-11-23T20:15:16.217Z",
                     *       "endedAt": "2026-11-23T20:15:19.604Z",
                     *       "history": [
                     *         {
                     *           "status": "requested",
                     *           "at": "2026-11-23T20:15:16.166Z"
                     *         },
                     *         {
                     *           "status": "preparing",
                     *           "at": "2026-11-23T20:15:16.217Z"
                     *         },
                     *         {
                     *           "status": "running",
                     *           "at": "2026-11-23T20:15:16.217Z"
                     *         },
                     *         {
                     *           "reason": "OPERATOR",
                     *           "status": "paused",
                     *           "at": "2026-11-23T20:15:16.938Z"
                     *         },
                     *         {
                     *           "status": "running",
                     *           "at": "2026-11-23T20:15:17.760Z"
                     *         },
                     *         {
                     *           "reason": "OPERATOR",
                     *           "status": "cancelled",
                     *           "at": "2026-11-23T20:15:19.604Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        processed: number;
                        issued: number;
                        skipped: number;
                        failed: number;
                        campaignId: string;
                        templateId: string;
                        /** @enum {string} */
                        status: "requested" | "preparing" | "running" | "paused" | "completed" | "cancelled" | "failed";
                        /** @enum {string} */
                        reason?: "OPERATOR" | "TEMPLATE_NOT_ACTIVE" | "TEMPLATE_NOT_FOUND" | "VALIDITY_ENDED" | "EMPTY_AUDIENCE" | "INSUFFICIENT_STOCK" | "STOCK_CONTENTION" | "DEADLINE" | "HELD_STOCK_RELEASED";
                        total: number;
                        skippedByReason: {
                            DUPLICATE: number;
                            LIMIT_REACHED: number;
                            VALIDITY_ENDED: number;
                        };
                        stock: {
                            reserved: number;
                            givenBack: number;
                            outstanding: number;
                        };
                        requestedAt: string;
                        startedAt: string;
                        completedAt?: string;
                        endedAt?: string;
                        history: {
                            /** @enum {string} */
                            status: "requested" | "preparing" | "running" | "paused" | "completed" | "cancelled" | "failed";
                            /** @enum {string} */
                            reason?: "OPERATOR" | "TEMPLATE_NOT_ACTIVE" | "TEMPLATE_NOT_FOUND" | "VALIDITY_ENDED" | "EMPTY_AUDIENCE" | "INSUFFICIENT_STOCK" | "STOCK_CONTENTION" | "DEADLINE" | "HELD_STOCK_RELEASED";
                            at: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    retryCampaignFailures: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                campaignId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description How many users were sent again */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "campaignId": "spring-vip",
                     *       "retried": 0
                     *     }
                     */
                    "application/json": {
                        campaignId: string;
                        retried: number;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    createCodeBatch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                templateId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "batchId": "spring-sms",
                 *       "kind": "unique",
                 *       "count": 3,
                 *       "pattern": "SPRING-####-####",
                 *       "validUntil": "2030-12-31T00:00:00Z"
                 *     }
                 */
                "application/json": {
                    batchId: string;
                    /** @constant */
                    kind: "unique";
                    count: number;
                    /** @default ####-####-#### */
                    pattern?: string;
                    /** @default ABCDEFGHJKMNPQRSTUVWXYZ23456789 */
                    charset?: string;
                    /** Format: date-time */
                    validFrom?: string;
                    /** Format: date-time */
                    validUntil: string;
                } | {
                    batchId: string;
                    /** @constant */
                    kind: "shared";
                    code: string;
                    maxRedemptions: number;
                    /** Format: date-time */
                    validFrom?: string;
                    /** Format: date-time */
                    validUntil: string;
                };
            };
        };
        responses: {
            /** @description The resource created earlier under this Idempotency-Key (a replay) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "batchId": "spring-sms",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "kind": "unique",
                     *       "status": "generating",
                     *       "pattern": "SPRING-####-####",
                     *       "charset": "ABCDEFGHJKMNPQRSTUVWXYZ23456789",
                     *       "validFrom": "2026-11-23T20:15:20.170Z",
                     *       "validUntil": "2030-12-31T00:00:00.000Z",
                     *       "counts": {
                     *         "codes": 3,
                     *         "generated": 0,
                     *         "redeemed": 0,
                     *         "revoked": 0,
                     *         "exported": 0,
                     *         "failedAttempts": 0
                     *       },
                     *       "stock": {
                     *         "reserved": 3,
                     *         "redeemed": 0,
                     *         "givenBack": 0,
                     *         "outstanding": 3
                     *       },
                     *       "exports": [],
                     *       "createdAt": "2026-11-23T20:15:20.170Z",
                     *       "createdBy": "backoffice-test"
                     *     }
                     */
                    "application/json": {
                        batchId: string;
                        templateId: string;
                        /** @enum {string} */
                        kind: "unique" | "shared";
                        /** @enum {string} */
                        status: "generating" | "ready" | "revoked";
                        pattern?: string;
                        charset?: string;
                        validFrom: string;
                        validUntil: string;
                        maxRedemptions?: number;
                        counts: {
                            codes: number;
                            generated: number;
                            redeemed: number;
                            revoked: number;
                            exported: number;
                            /** @description Refused redemptions of codes of this batch (already redeemed, revoked, outside validity); unknown codes belong to no batch */
                            failedAttempts: number;
                        };
                        stock: {
                            reserved: number;
                            redeemed: number;
                            givenBack: number;
                            outstanding: number;
                        };
                        /** @description The latest exports, newest first */
                        exports: {
                            by: string;
                            at: string;
                        }[];
                        createdAt: string;
                        createdBy: string;
                        readyAt?: string;
                        revokedAt?: string;
                        code?: string;
                    };
                };
            };
            /** @description Accepted (or the existing batch); follow it at GET /v1/admin/code-batches/{batchId} */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "batchId": "spring-sms",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "kind": "unique",
                     *       "status": "generating",
                     *       "pattern": "SPRING-####-####",
                     *       "charset": "ABCDEFGHJKMNPQRSTUVWXYZ23456789",
                     *       "validFrom": "2026-11-23T20:15:20.170Z",
                     *       "validUntil": "2030-12-31T00:00:00.000Z",
                     *       "counts": {
                     *         "codes": 3,
                     *         "generated": 0,
                     *         "redeemed": 0,
                     *         "revoked": 0,
                     *         "exported": 0,
                     *         "failedAttempts": 0
                     *       },
                     *       "stock": {
                     *         "reserved": 3,
                     *         "redeemed": 0,
                     *         "givenBack": 0,
                     *         "outstanding": 3
                     *       },
                     *       "exports": [],
                     *       "createdAt": "2026-11-23T20:15:20.170Z",
                     *       "createdBy": "backoffice-test"
                     *     }
                     */
                    "application/json": {
                        batchId: string;
                        templateId: string;
                        /** @enum {string} */
                        kind: "unique" | "shared";
                        /** @enum {string} */
                        status: "generating" | "ready" | "revoked";
                        pattern?: string;
                        charset?: string;
                        validFrom: string;
                        validUntil: string;
                        maxRedemptions?: number;
                        counts: {
                            codes: number;
                            generated: number;
                            redeemed: number;
                            revoked: number;
                            exported: number;
                            /** @description Refused redemptions of codes of this batch (already redeemed, revoked, outside validity); unknown codes belong to no batch */
                            failedAttempts: number;
                        };
                        stock: {
                            reserved: number;
                            redeemed: number;
                            givenBack: number;
                            outstanding: number;
                        };
                        /** @description The latest exports, newest first */
                        exports: {
                            by: string;
                            at: string;
                        }[];
                        createdAt: string;
                        createdBy: string;
                        readyAt?: string;
                        revokedAt?: string;
                        code?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    getCodeBatch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batchId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The batch */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "batchId": "spring-sms",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "kind": "unique",
                     *       "status": "ready",
                     *       "pattern": "SPRING-####-####",
                     *       "charset": "ABCDEFGHJKMNPQRSTUVWXYZ23456789",
                     *       "validFrom": "2026-11-23T20:15:20.170Z",
                     *       "validUntil": "2030-12-31T00:00:00.000Z",
                     *       "counts": {
                     *         "codes": 3,
                     *         "generated": 3,
                     *         "redeemed": 1,
                     *         "revoked": 1,
                     *         "exported": 1,
                     *         "failedAttempts": 0
                     *       },
                     *       "stock": {
                     *         "reserved": 3,
                     *         "redeemed": 1,
                     *         "givenBack": 1,
                     *         "outstanding": 1
                     *       },
                     *       "exports": [
                     *         {
                     *           "by": "backoffice-test",
                     *           "at": "2026-11-23T20:15:21.590Z"
                     *         }
                     *       ],
                     *       "createdAt": "2026-11-23T20:15:20.170Z",
                     *       "createdBy": "backoffice-test",
                     *       "readyAt": "2026-11-23T20:15:20.920Z"
                     *     }
                     */
                    "application/json": {
                        batchId: string;
                        templateId: string;
                        /** @enum {string} */
                        kind: "unique" | "shared";
                        /** @enum {string} */
                        status: "generating" | "ready" | "revoked";
                        pattern?: string;
                        charset?: string;
                        validFrom: string;
                        validUntil: string;
                        maxRedemptions?: number;
                        counts: {
                            codes: number;
                            generated: number;
                            redeemed: number;
                            revoked: number;
                            exported: number;
                            /** @description Refused redemptions of codes of this batch (already redeemed, revoked, outside validity); unknown codes belong to no batch */
                            failedAttempts: number;
                        };
                        stock: {
                            reserved: number;
                            redeemed: number;
                            givenBack: number;
                            outstanding: number;
                        };
                        /** @description The latest exports, newest first */
                        exports: {
                            by: string;
                            at: string;
                        }[];
                        createdAt: string;
                        createdBy: string;
                        readyAt?: string;
                        revokedAt?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    exportCodeBatch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batchId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "url": "http://127.0.0.1:32935/coupon-code-exports-local/code-exports/spring-sms-Sr8Vb_rZgfpP.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Credential=local%2F20261123%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261123T201521Z&X-Amz-Expires=900&X-Amz-Signature=03f54126357eaad23c0cb51669c91e61c4fd365cc9db22aba0cd93fc032f8b03&X-Amz-SignedHeaders=host&response-content-disposition=attachment%3B%20filename%3D%22spring-sms-Sr8Vb_rZgfpP.csv%22&x-amz-checksum-mode=ENABLED&x-id=GetObject",
                     *       "expiresAt": "2026-11-23T20:30:21.590Z",
                     *       "by": "backoffice-test",
                     *       "at": "2026-11-23T20:15:21.590Z"
                     *     }
                     */
                    "application/json": {
                        /** @description A pre-signed GET of the CSV (one code a line); it stops working at expiresAt */
                        url: string;
                        expiresAt: string;
                        by: string;
                        at: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    revokeCodeBatch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batchId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The revoked batch */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "batchId": "spring-sms",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "kind": "unique",
                     *       "status": "revoked",
                     *       "pattern": "SPRING-####-####",
                     *       "charset": "ABCDEFGHJKMNPQRSTUVWXYZ23456789",
                     *       "validFrom": "2026-11-23T20:15:20.170Z",
                     *       "validUntil": "2030-12-31T00:00:00.000Z",
                     *       "counts": {
                     *         "codes": 3,
                     *         "generated": 3,
                     *         "redeemed": 1,
                     *         "revoked": 2,
                     *         "exported": 1,
                     *         "failedAttempts": 0
                     *       },
                     *       "stock": {
                     *         "reserved": 3,
                     *         "redeemed": 1,
                     *         "givenBack": 2,
                     *         "outstanding": 0
                     *       },
                     *       "exports": [
                     *         {
                     *           "by": "backoffice-test",
                     *           "at": "2026-11-23T20:15:21.590Z"
                     *         }
                     *       ],
                     *       "createdAt": "2026-11-23T20:15:20.170Z",
                     *       "createdBy": "backoffice-test",
                     *       "readyAt": "2026-11-23T20:15:20.920Z",
                     *       "revokedAt": "2026-11-23T20:15:22.915Z"
                     *     }
                     */
                    "application/json": {
                        batchId: string;
                        templateId: string;
                        /** @enum {string} */
                        kind: "unique" | "shared";
                        /** @enum {string} */
                        status: "generating" | "ready" | "revoked";
                        pattern?: string;
                        charset?: string;
                        validFrom: string;
                        validUntil: string;
                        maxRedemptions?: number;
                        counts: {
                            codes: number;
                            generated: number;
                            redeemed: number;
                            revoked: number;
                            exported: number;
                            /** @description Refused redemptions of codes of this batch (already redeemed, revoked, outside validity); unknown codes belong to no batch */
                            failedAttempts: number;
                        };
                        stock: {
                            reserved: number;
                            redeemed: number;
                            givenBack: number;
                            outstanding: number;
                        };
                        /** @description The latest exports, newest first */
                        exports: {
                            by: string;
                            at: string;
                        }[];
                        createdAt: string;
                        createdBy: string;
                        readyAt?: string;
                        revokedAt?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    revokeCode: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batchId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "SPRING-87DD-PY4K"
                 *     }
                 */
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description The batch after the revocation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "batchId": "spring-sms",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "kind": "unique",
                     *       "status": "ready",
                     *       "pattern": "SPRING-####-####",
                     *       "charset": "ABCDEFGHJKMNPQRSTUVWXYZ23456789",
                     *       "validFrom": "2026-11-23T20:15:20.170Z",
                     *       "validUntil": "2030-12-31T00:00:00.000Z",
                     *       "counts": {
                     *         "codes": 3,
                     *         "generated": 3,
                     *         "redeemed": 1,
                     *         "revoked": 1,
                     *         "exported": 1,
                     *         "failedAttempts": 0
                     *       },
                     *       "stock": {
                     *         "reserved": 3,
                     *         "redeemed": 1,
                     *         "givenBack": 1,
                     *         "outstanding": 1
                     *       },
                     *       "exports": [
                     *         {
                     *           "by": "backoffice-test",
                     *           "at": "2026-11-23T20:15:21.590Z"
                     *         }
                     *       ],
                     *       "createdAt": "2026-11-23T20:15:20.170Z",
                     *       "createdBy": "backoffice-test",
                     *       "readyAt": "2026-11-23T20:15:20.920Z"
                     *     }
                     */
                    "application/json": {
                        batchId: string;
                        templateId: string;
                        /** @enum {string} */
                        kind: "unique" | "shared";
                        /** @enum {string} */
                        status: "generating" | "ready" | "revoked";
                        pattern?: string;
                        charset?: string;
                        validFrom: string;
                        validUntil: string;
                        maxRedemptions?: number;
                        counts: {
                            codes: number;
                            generated: number;
                            redeemed: number;
                            revoked: number;
                            exported: number;
                            /** @description Refused redemptions of codes of this batch (already redeemed, revoked, outside validity); unknown codes belong to no batch */
                            failedAttempts: number;
                        };
                        stock: {
                            reserved: number;
                            redeemed: number;
                            givenBack: number;
                            outstanding: number;
                        };
                        /** @description The latest exports, newest first */
                        exports: {
                            by: string;
                            at: string;
                        }[];
                        createdAt: string;
                        createdBy: string;
                        readyAt?: string;
                        revokedAt?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    redeemCode: {
        parameters: {
            query?: never;
            header: {
                "Idempotency-Key": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "code": "SPRING-2EMM-G9ZE"
                 *     }
                 */
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description The resource created earlier under this Idempotency-Key (a replay) */
            200: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "01M850S0YHS7F29EC6F46HB3BC",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "status": "available",
                     *       "name": "20 off 100 on shoes",
                     *       "currency": "EUR",
                     *       "effect": {
                     *         "type": "amount_off",
                     *         "minSpend": 10000,
                     *         "amountOff": 2000
                     *       },
                     *       "scope": {
                     *         "include": {
                     *           "categoryIds": [
                     *             "shoes"
                     *           ]
                     *         },
                     *         "exclude": {
                     *           "productIds": [
                     *             "limited-sneaker"
                     *           ]
                     *         }
                     *       },
                     *       "stacking": {
                     *         "type": "group",
                     *         "group": "default"
                     *       },
                     *       "validFrom": "2026-11-23T20:15:21.835Z",
                     *       "validUntil": "2026-12-23T20:15:21.835Z",
                     *       "issuedAt": "2026-11-23T20:15:21.835Z",
                     *       "source": "code"
                     *     }
                     */
                    "application/json": {
                        id: string;
                        templateId: string;
                        /** @enum {string} */
                        status: "available" | "locked" | "used" | "expired";
                        name: string;
                        currency: string;
                        effect: {
                            /** @constant */
                            type: "amount_off";
                            amountOff: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "percent_off";
                            percentOffBps: number;
                            maxDiscount?: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "payout_amount";
                            bonus: number;
                            minPayout?: number;
                        } | {
                            /** @constant */
                            type: "payout_percent";
                            bonusBps: number;
                            maxBonus?: number;
                            minPayout?: number;
                        };
                        scope: {
                            include?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                            exclude?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                        };
                        stacking: {
                            /** @constant */
                            type: "exclusive";
                        } | {
                            /** @constant */
                            type: "group";
                            group: string;
                        };
                        validFrom: string;
                        validUntil: string;
                        issuedAt: string;
                        /** @enum {string} */
                        source: "claim" | "campaign" | "code" | "import";
                        orderId?: string;
                    };
                };
            };
            /** @description The coupon issued for the code */
            201: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "01M850S0YHS7F29EC6F46HB3BC",
                     *       "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *       "status": "available",
                     *       "name": "20 off 100 on shoes",
                     *       "currency": "EUR",
                     *       "effect": {
                     *         "type": "amount_off",
                     *         "minSpend": 10000,
                     *         "amountOff": 2000
                     *       },
                     *       "scope": {
                     *         "include": {
                     *           "categoryIds": [
                     *             "shoes"
                     *           ]
                     *         },
                     *         "exclude": {
                     *           "productIds": [
                     *             "limited-sneaker"
                     *           ]
                     *         }
                     *       },
                     *       "stacking": {
                     *         "type": "group",
                     *         "group": "default"
                     *       },
                     *       "validFrom": "2026-11-23T20:15:21.835Z",
                     *       "validUntil": "2026-12-23T20:15:21.835Z",
                     *       "issuedAt": "2026-11-23T20:15:21.835Z",
                     *       "source": "code"
                     *     }
                     */
                    "application/json": {
                        id: string;
                        templateId: string;
                        /** @enum {string} */
                        status: "available" | "locked" | "used" | "expired";
                        name: string;
                        currency: string;
                        effect: {
                            /** @constant */
                            type: "amount_off";
                            amountOff: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "percent_off";
                            percentOffBps: number;
                            maxDiscount?: number;
                            minSpend?: number;
                        } | {
                            /** @constant */
                            type: "payout_amount";
                            bonus: number;
                            minPayout?: number;
                        } | {
                            /** @constant */
                            type: "payout_percent";
                            bonusBps: number;
                            maxBonus?: number;
                            minPayout?: number;
                        };
                        scope: {
                            include?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                            exclude?: {
                                productIds?: string[];
                                categoryIds?: string[];
                                merchantIds?: string[];
                            };
                        };
                        stacking: {
                            /** @constant */
                            type: "exclusive";
                        } | {
                            /** @constant */
                            type: "group";
                            group: string;
                        };
                        validFrom: string;
                        validUntil: string;
                        issuedAt: string;
                        /** @enum {string} */
                        source: "claim" | "campaign" | "code" | "import";
                        orderId?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            422: components["responses"]["Error422"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    startImport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "importId": "legacy-2026-11",
                 *       "templates": "legacy/templates.jsonl",
                 *       "coupons": "legacy/coupons.jsonl"
                 *     }
                 */
                "application/json": {
                    importId: string;
                    templates?: string;
                    coupons?: string;
                    /** @enum {string} */
                    couponsFormat?: "jsonl" | "csv";
                    /** @default false */
                    dryRun?: boolean;
                };
            };
        };
        responses: {
            /** @description The resource created earlier under this Idempotency-Key (a replay) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "importId": "legacy-2026-11",
                     *       "status": "planning"
                     *     }
                     */
                    "application/json": {
                        importId: string;
                        /** @enum {string} */
                        status: "planning" | "importing" | "verifying" | "completed" | "failed";
                    };
                };
            };
            /** @description Accepted (or the existing import); follow it at GET /v1/admin/imports/{importId} */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "importId": "legacy-2026-11",
                     *       "status": "planning"
                     *     }
                     */
                    "application/json": {
                        importId: string;
                        /** @enum {string} */
                        status: "planning" | "importing" | "verifying" | "completed" | "failed";
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    getImport: {
        parameters: {
            query?: {
                invalidFrom?: number;
            };
            header?: never;
            path: {
                importId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The import, with a page of its invalid records (nextInvalidFrom: ask again from there) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "importId": "legacy-2026-11",
                     *       "status": "completed",
                     *       "dryRun": false,
                     *       "startedBy": "backoffice-test",
                     *       "startedAt": "2026-11-23T20:15:24.054Z",
                     *       "finishedAt": "2026-11-23T20:15:28.563Z",
                     *       "progress": {
                     *         "parts": 2,
                     *         "partsDone": 2,
                     *         "segments": 16,
                     *         "segmentsDone": 16
                     *       },
                     *       "templates": {
                     *         "read": 2,
                     *         "created": 2,
                     *         "unchanged": 0,
                     *         "invalid": 0
                     *       },
                     *       "coupons": {
                     *         "read": 20,
                     *         "created": 18,
                     *         "updated": 0,
                     *         "unchanged": 0,
                     *         "invalid": 2
                     *       },
                     *       "invalidRecords": [
                     *         {
                     *           "externalId": "legacy-cpn-6",
                     *           "reason": "Invalid option: expected one of \"unused\"|\"frozen\"|\"locked\"|\"used\"|\"expired\"",
                     *           "file": "coupons",
                     *           "field": "status",
                     *           "line": 7
                     *         },
                     *         {
                     *           "externalId": "legacy-cpn-15",
                     *           "reason": "Invalid option: expected one of \"unused\"|\"frozen\"|\"locked\"|\"used\"|\"expired\"",
                     *           "file": "coupons",
                     *           "field": "status",
                     *           "line": 16
                     *         }
                     *       ],
                     *       "reconciliation": {
                     *         "equal": true,
                     *         "checkedAt": "2026-11-23T20:15:28.563Z",
                     *         "differing": 0,
                     *         "groups": 8,
                     *         "source": {
                     *           "count": 18
                     *         },
                     *         "rows": [
                     *           {
                     *             "equal": true,
                     *             "source": {
                     *               "count": 3,
                     *               "checksum": "c22399d86716d12c"
                     *             },
                     *             "templateId": "31ZQJCEK2Z54A3SRR36E7JGXDF",
                     *             "table": {
                     *               "count": 3,
                     *               "checksum": "c22399d86716d12c"
                     *             },
                     *             "status": "available"
                     *           },
                     *           {
                     *             "equal": true,
                     *             "source": {
                     *               "count": 3,
                     *               "checksum": "d31c974f3dee7cab"
                     *             },
                     *             "templateId": "31ZQJCEK2Z54A3SRR36E7JGXDF",
                     *             "table": {
                     *               "count": 3,
                     *               "checksum": "d31c974f3dee7cab"
                     *             },
                     *             "status": "expired"
                     *           },
                     *           {
                     *             "equal": true,
                     *             "source": {
                     *               "count": 3,
                     *               "checksum": "c678cbf7b770ea29"
                     *             },
                     *             "templateId": "31ZQJCEK2Z54A3SRR36E7JGXDF",
                     *             "table": {
                     *               "count": 3,
                     *               "checksum": "c678cbf7b770ea29"
                     *             },
                     *             "status": "locked"
                     *           },
                     *           {
                     *             "equal": true,
                     *             "source": {
                     *               "count": 1,
                     *               "checksum": "0c3c0e4f8524b714"
                     *             },
                     *             "templateId": "31ZQJCEK2Z54A3SRR36E7JGXDF",
                     *             "table": {
                     *               "count": 1,
                     *               "checksum": "0c3c0e4f8524b714"
                     *             },
                     *             "status": "used"
                     *           },
                     *           {
                     *             "equal": true,
                     *             "source": {
                     *               "count": 3,
                     *               "checksum": "f0c54754a0c1ab92"
                     *             },
                     *             "templateId": "6AZR0VT0GVE3ZG9510VFN2611J",
                     *             "table": {
                     *               "count": 3,
                     *               "checksum": "f0c54754a0c1ab92"
                     *             },
                     *             "status": "available"
                     *           },
                     *           {
                     *             "equal": true,
                     *             "source": {
                     *               "count": 3,
                     *               "checksum": "31a1f6d49e8c862c"
                     *             },
                     *             "templateId": "6AZR0VT0GVE3ZG9510VFN2611J",
                     *             "table": {
                     *               "count": 3,
                     *               "checksum": "31a1f6d49e8c862c"
                     *             },
                     *             "status": "expired"
                     *           },
                     *           {
                     *             "equal": true,
                     *             "source": {
                     *               "count": 1,
                     *               "checksum": "b1ad21f53e996ba7"
                     *             },
                     *             "templateId": "6AZR0VT0GVE3ZG9510VFN2611J",
                     *             "table": {
                     *               "count": 1,
                     *               "checksum": "b1ad21f53e996ba7"
                     *             },
                     *             "status": "locked"
                     *           },
                     *           {
                     *             "equal": true,
                     *             "source": {
                     *               "count": 1,
                     *               "checksum": "4c28b36b445152b6"
                     *             },
                     *             "templateId": "6AZR0VT0GVE3ZG9510VFN2611J",
                     *             "table": {
                     *               "count": 1,
                     *               "checksum": "4c28b36b445152b6"
                     *             },
                     *             "status": "used"
                     *           }
                     *         ],
                     *         "table": {
                     *           "count": 18
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": {
                        importId: string;
                        /** @enum {string} */
                        status: "planning" | "importing" | "verifying" | "completed" | "failed";
                        dryRun: boolean;
                        startedBy: string;
                        startedAt: string;
                        finishedAt?: string;
                        progress: {
                            parts: number;
                            partsDone: number;
                            segments: number;
                            segmentsDone: number;
                        };
                        templates: {
                            read: number;
                            created: number;
                            unchanged: number;
                            invalid: number;
                        };
                        coupons: {
                            read: number;
                            created: number;
                            updated: number;
                            unchanged: number;
                            invalid: number;
                        };
                        invalidRecords: {
                            /** @enum {string} */
                            file?: "templates" | "coupons";
                            line: number;
                            externalId?: string;
                            field: string;
                            reason: string;
                        }[];
                        nextInvalidFrom?: number;
                        reconciliation?: {
                            equal: boolean;
                            groups: number;
                            differing: number;
                            source: {
                                count: number;
                            };
                            table: {
                                count: number;
                            };
                            rows: {
                                templateId: string;
                                status: string;
                                source: {
                                    count: number;
                                    checksum: string;
                                };
                                table: {
                                    count: number;
                                    checksum: string;
                                };
                                equal: boolean;
                            }[];
                            checkedAt: string;
                        };
                        failure?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    dualWriteCoupon: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                externalId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "externalId": "legacy-cpn-0",
                 *       "userId": "legacy-user-2",
                 *       "templateExternalId": "legacy-tpl-0",
                 *       "status": "used",
                 *       "orderId": "legacy-order-77",
                 *       "issuedAt": "2026-01-12T00:00:00.000Z",
                 *       "usedAt": "2026-11-20T10:00:00.000Z",
                 *       "updatedAt": "2026-11-20T10:00:00.000Z"
                 *     }
                 */
                "application/json": {
                    externalId: string;
                    userId: string;
                    templateExternalId: string;
                    /** @enum {string} */
                    status: "unused" | "frozen" | "locked" | "used" | "expired";
                    orderId?: string;
                    /** Format: date-time */
                    issuedAt: string;
                    /** Format: date-time */
                    validFrom?: string;
                    /** Format: date-time */
                    validUntil?: string;
                    /** Format: date-time */
                    usedAt?: string;
                    /** Format: date-time */
                    updatedAt: string;
                };
            };
        };
        responses: {
            /** @description What the platform holds now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "outcome": "written",
                     *       "couponId": "01KEQR1700A8N6R9ZSM6F0GPBW",
                     *       "templateId": "6AZR0VT0GVE3ZG9510VFN2611J",
                     *       "externalId": "legacy-cpn-0",
                     *       "legacyUpdatedAt": "2026-11-20T10:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** @enum {string} */
                        outcome: "written" | "unchanged" | "ignored";
                        couponId: string;
                        templateId: string;
                        externalId: string;
                        legacyUpdatedAt: unknown;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            415: components["responses"]["Error415"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
            503: components["responses"]["Error503"];
        };
    };
    listArchives: {
        parameters: {
            query?: {
                from?: string;
                to?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of manifests */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "createdAt": "2026-11-23T20:15:29.989Z",
                     *           "completedAt": "2026-11-23T20:15:31.455Z",
                     *           "coupons": 2,
                     *           "objects": [
                     *             {
                     *               "count": 2,
                     *               "templateId": "01M850RRH70HY6XYBRS7BJJN6Y",
                     *               "sha256": "21ace0b0ba3342f04630345106f578e3afaede3aeb0a72c0e48c6cb776afeb9d",
                     *               "day": "2026-12-24",
                     *               "key": "coupons/day=2026-12-24/template=01M850RRH70HY6XYBRS7BJJN6Y/01M850S8P0MB791PZ4F9WRM5NZ.jsonl.gz",
                     *               "bytes": 464
                     *             }
                     *           ],
                     *           "leftInTable": 0,
                     *           "shard": 0,
                     *           "state": "complete",
                     *           "batchId": "01M850S8P0MB791PZ4F9WRM5NZ",
                     *           "bucket": "coupon-archive-local"
                     *         }
                     *       ],
                     *       "nextCursor": "eyJzayI6IjIwMjYtMTEtMjNUMjA6MTU6MjkuOTg5WiMwMU04NTBTOFAwTUI3OTFQWjRGOVdSTTVOWiIsInBrIjoiQVJDSElWRVMifQ"
                     *     }
                     */
                    "application/json": {
                        items: {
                            batchId: string;
                            shard: number;
                            createdAt: string;
                            /** @enum {string} */
                            state: "writing" | "deleting" | "complete" | "abandoned";
                            readonly objects: {
                                key: string;
                                day: string;
                                templateId: string;
                                count: number;
                                bytes: number;
                                sha256: string;
                            }[];
                            coupons: number;
                            leftInTable: number;
                            completedAt?: string;
                            bucket: string;
                        }[];
                        nextCursor?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
}
