import { defineRoutes } from '../http/route';
import { UserTagsInput, UserTagsView as UserTags } from '../audience/audience-schema';
import { UserIdPath } from '../ids';
import { BlocklistView as Blocklist, GlobalBlocklist } from './blocklist';

/** Back office: the global product block list and users' audience tags. */
export const settingsRoutes = defineRoutes({
  getBlocklist: {
    method: 'GET',
    path: '/v1/admin/blocklist',
    entry: 'functions/settings/get-blocklist.ts',
    scope: 'coupons/admin',
    tableAccess: 'read',
    summary: 'The global product block list (no coupon ever applies to these products)',
    request: {},
    response: { status: 200, schema: Blocklist, description: 'The block list' },
  },
  putBlocklist: {
    method: 'PUT',
    path: '/v1/admin/blocklist',
    entry: 'functions/settings/put-blocklist.ts',
    scope: 'coupons/admin',
    tableAccess: 'readWrite',
    summary: 'Replace the global product block list',
    request: { body: GlobalBlocklist },
    response: { status: 200, schema: Blocklist, description: 'The new block list' },
  },
  getUserTags: {
    method: 'GET',
    path: '/v1/admin/users/{userId}/tags',
    entry: 'functions/users/get-user-tags.ts',
    scope: 'coupons/admin',
    tableAccess: 'read',
    summary: 'A user\'s audience tags',
    request: { path: UserIdPath },
    response: { status: 200, schema: UserTags, description: 'The tags' },
  },
  putUserTags: {
    method: 'PUT',
    path: '/v1/admin/users/{userId}/tags',
    entry: 'functions/users/put-user-tags.ts',
    scope: 'coupons/admin',
    tableAccess: 'readWrite',
    summary: 'Replace a user\'s audience tags',
    request: { path: UserIdPath, body: UserTagsInput },
    response: { status: 200, schema: UserTags, description: 'The new tags' },
  },
});
