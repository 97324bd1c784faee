import { defineRoutes } from '../http/route';
import { pageOf } from '../pagination';
import { AddStockInput, ChangeStatusInput, CreateTemplateInput, ListTemplatesQuery, TemplateIdPath, TemplateView, UpdateTemplateInput } from './template-schema';

const TemplatePage = pageOf(TemplateView);

/** Back office: coupon templates and their stock. */
export const templateRoutes = defineRoutes({
  createTemplate: {
    method: 'POST',
    path: '/v1/admin/templates',
    entry: 'functions/templates/create-template.ts',
    scope: 'coupons/admin',
    tableAccess: 'readWrite',
    summary: 'Create a coupon template (as a draft) with its stock; with an Idempotency-Key a retry answers the same template',
    request: { body: CreateTemplateInput, idempotencyKey: 'optional' },
    errors: [422],
    response: { status: 201, replayStatus: 200, schema: TemplateView, description: 'The new template' },
  },
  listTemplates: {
    method: 'GET',
    path: '/v1/admin/templates',
    entry: 'functions/templates/list-templates.ts',
    scope: 'coupons/admin',
    tableAccess: 'read',
    summary: 'List templates, optionally by status, a page at a time',
    request: { query: ListTemplatesQuery },
    response: { status: 200, schema: TemplatePage, description: 'A page of templates' },
  },
  getTemplate: {
    method: 'GET',
    path: '/v1/admin/templates/{templateId}',
    entry: 'functions/templates/get-template.ts',
    scope: 'coupons/admin',
    tableAccess: 'read',
    summary: 'Read a template with its remaining stock',
    request: { path: TemplateIdPath },
    response: { status: 200, schema: TemplateView, description: 'The template' },
    errors: [404],
  },
  updateTemplate: {
    method: 'PATCH',
    path: '/v1/admin/templates/{templateId}',
    entry: 'functions/templates/update-template.ts',
    scope: 'coupons/admin',
    tableAccess: 'readWrite',
    summary: 'Change a template; coupon rules only while it is a draft',
    request: { path: TemplateIdPath, body: UpdateTemplateInput },
    response: { status: 200, schema: TemplateView, description: 'The changed template' },
    errors: [404, 409],
  },
  changeTemplateStatus: {
    method: 'POST',
    path: '/v1/admin/templates/{templateId}/status',
    entry: 'functions/templates/change-template-status.ts',
    scope: 'coupons/admin',
    tableAccess: 'readWrite',
    summary: 'Move a template along draft -> active <-> paused -> ended; its campaigns pause with it and resume with it',
    request: { path: TemplateIdPath, body: ChangeStatusInput },
    response: { status: 200, schema: TemplateView, description: 'The template in its new status' },
    errors: [404, 409],
    // Activating a template resumes the campaigns its pause paused, and sends the chunks they parked.
    sends: ['chunks'],
  },
  addTemplateStock: {
    method: 'POST',
    path: '/v1/admin/templates/{templateId}/stock',
    entry: 'functions/templates/add-template-stock.ts',
    scope: 'coupons/admin',
    tableAccess: 'readWrite',
    summary: 'Add stock, spread over the template\'s shards (with an Idempotency-Key a retry never adds twice)',
    request: { path: TemplateIdPath, body: AddStockInput, idempotencyKey: 'optional' },
    response: { status: 200, schema: TemplateView, description: 'The template with its new stock' },
    errors: [404, 409, 422],
  },
});
