//! English. Same keys as `zh-CN.ts`.
import type zhCN from './zh-CN'

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> }

const en: Shape<typeof zhCN> = {
  app: { title: 'Zongwu', subtitle: 'Smart Logistics Office', loading: 'Loading…' },
  nav: { officers: 'Officers', needs: 'Needs', units: 'Units', settings: 'Settings' },
  common: {
    add: 'Add', edit: 'Edit', save: 'Save', cancel: 'Cancel', confirm: 'OK', delete: 'Delete', close: 'Close',
    search: 'Search', all: 'All', yes: 'Yes', no: 'No', actions: 'Actions', empty: 'No data', detail: 'Details',
    history: 'History', loading: 'Working…', required: 'Required', saved: 'Saved', deleted: 'Deleted', none: '—',
    confirmTitle: 'Please confirm', done: 'Done', total: '{n} in total',
  },
  role: { admin: 'Admin', office: 'Office staff', expert: 'Expert', officer: 'Liaison officer' },
  session: {
    actingAs: 'Acting as:', switchUser: 'Switch user', switchTitle: 'Switch user', switched: 'Now acting as {name}',
    language: 'Language', noUnit: '(no unit)',
  },
  errors: {
    validation: 'Invalid input', forbidden: 'Not allowed', not_found: 'Not found', conflict: 'Conflict',
    import_rejected: 'Import rejected', io: 'File error', internal: 'Internal error',
  },
  export: { saved: 'Saved to: ', rows: '{n} rows', running: 'Exporting…', title: 'Export finished' },
  unit: {
    title: 'Units', code: 'Code', name: 'Name', kind: 'Kind', active: 'Active', new: 'New unit', editTitle: 'Edit unit',
    kinds: { service_unit: 'Service unit', college: 'College', office: 'Office' },
    codeRequired: 'Enter a unit code', nameRequired: 'Enter a unit name', empty: 'No units yet',
  },
  officer: {
    title: 'Liaison officers', staffNo: 'Staff no.', name: 'Name', unit: 'Unit', jobTitle: 'Title', phone: 'Phone',
    email: 'Email', gender: 'Gender', term: 'Term', termStart: 'Term start', termEnd: 'Term end', duties: 'Duties',
    note: 'Note', status: 'Status', trainingCount: 'Trainings', retiredOn: 'Retired on',
    statuses: { active: 'Active', retired: 'Retired' },
    genders: { male: 'Male', female: 'Female' },
    new: 'New officer', editTitle: 'Edit officer', searchPlaceholder: 'Search name / staff no. / unit (Ctrl+F)',
    filterUnit: 'Filter by unit', filterStatus: 'Filter by status',
    export: 'Export roster', template: 'Import template', import: 'Import', importTitle: 'Choose a roster file',
    importing: 'Importing…', importValidating: 'Checking {total} rows…', importWriting: 'Writing {done} / {total} rows…', importOk: 'Imported {n} of {total} rows', importFailed: 'The file failed validation; nothing was written',
    importErrors: 'Import errors ({n})', errRow: 'Row', errColumn: 'Column', errValue: 'Value', errReason: 'Reason',
    exportErrors: 'Export error report',
    retire: 'Retire', retireTitle: 'Retire officer', retireDate: 'Date', retireReason: 'Reason', retired: 'Retired',
    reinstate: 'Reinstate', reinstateConfirm: 'Reinstate {name} as active?', reinstated: 'Reinstated',
    tabInfo: 'Profile', tabTraining: 'Training', tabHistory: 'History',
    training: {
      add: 'Add training', date: 'Date', topic: 'Topic', attended: 'Attended', hours: 'Hours', deleteConfirm: 'Delete training "{topic}"?',
      empty: 'No training records', topicRequired: 'Enter a topic', dateRequired: 'Pick a date',
    },
    unitRequired: 'Choose a unit', staffNoRequired: 'Enter a staff number', nameRequired: 'Enter a name',
    phoneInvalid: 'Phone must be 11 digits', emailInvalid: 'Invalid email', empty: 'No matching officers',
    count: '{n} officers', readOnly: 'Read-only',
  },
  need: {
    title: 'Needs', board: 'Board', list: 'List', new: 'Submit need', export: 'Export needs',
    fTitle: 'Title', kind: 'Kind', description: 'Description', priority: 'Priority', benefit: 'Expected benefit', unit: 'Unit',
    status: 'Status', submitter: 'Submitter', submitted: 'Submitted', avgScore: 'Avg. score', reviewCount: 'Reviews',
    attachments: 'Attachments (metadata only)', attachmentName: 'Name', attachmentNote: 'Note', addAttachment: 'Add attachment',
    kinds: { need: 'Need', scenario: 'Scenario', project_idea: 'Project idea' },
    priorities: { low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent' },
    statuses: {
      submitted: 'Submitted', under_review: 'Under review', approved: 'Approved', in_development: 'In development',
      launched: 'Launched', rejected: 'Rejected', on_hold: 'On hold',
    },
    actions: {
      submitted: 'Resubmit', under_review: 'Start review', approved: 'Approve', in_development: 'Start development',
      launched: 'Launch', rejected: 'Reject', on_hold: 'Put on hold',
    },
    chartTitle: 'Needs by status', titleRequired: 'Enter a title', descriptionRequired: 'Enter a description',
    unitRequired: 'Choose a unit', submittedOk: 'Need submitted', empty: 'No needs yet', columnEmpty: 'None',
    tabDetail: 'Details', tabReviews: 'Reviews', tabTimeline: 'Timeline', tabHistory: 'History',
    review: 'Review', reviewTitle: 'Expert review', reviewSubmit: 'Submit review', reviewed: 'Review submitted',
    reviewComment: 'Comment', expert: 'Expert', scoreTotal: 'Total', noReviews: 'No reviews yet',
    criteria: { feasibility: 'Feasibility', benefit: 'Benefit', urgency: 'Urgency', cost: 'Cost' },
    transitionTitle: 'Change status: {action}', transitionComment: 'Comment', commentRequired: 'A comment is required to reject or hold',
    transitioned: 'Status is now {status}', timelineEmpty: 'No transitions yet', searchPlaceholder: 'Search title / unit (Ctrl+F)',
    unitFixed: 'your unit', noAttachments: 'No attachments',
  },
  history: {
    empty: 'No history', created: 'Created', updated: 'Updated', deleted: 'Deleted', restored: 'Restored',
    local: 'this device', remote: 'synced', reason: 'Reason', column: 'Field', before: 'Before', after: 'After',
    columns: {
      unit_id: 'Unit', staff_no: 'Staff no.', name: 'Name', gender: 'Gender', title: 'Title', phone: 'Phone', email: 'Email',
      term_start: 'Term start', term_end: 'Term end', duties: 'Duties', status: 'Status', retired_on: 'Retired on', note: 'Note',
      kind: 'Kind', description: 'Description', priority: 'Priority', expected_benefit: 'Expected benefit', attachments: 'Attachments',
      code: 'Code', active: 'Active', deleted: 'Deleted',
    },
  },
  settings: {
    title: 'Settings', language: 'Language', dataDir: 'Data directory', deviceId: 'Device ID',
    backups: 'Backups', backupNow: 'Back up now', backedUp: 'Backed up: {file}', restore: 'Restore',
    restoreConfirm: 'Restoring "{file}" replaces the current data. A safety backup is taken first. Continue?',
    restored: 'Restored; data reloaded', file: 'File', size: 'Size', created: 'Created', noBackups: 'No backups yet',
    staffOnly: 'Only admins and office staff can back up and restore',
  },
}

export default en
