import { type Queue, UnrecoverableError } from 'bullmq';
import {
  generateReport,
  ReportFailedError,
  type ReportJob,
  type ReportsContext,
  requestMonthlyReports,
} from '../core/reports/reports.service.js';
import { JOBS, type Processor } from './jobs.js';

/** Hands a queued report to the `reports` queue under its deterministic id. */
export function reportEnqueuer(queue: Queue): (report: ReportJob) => Promise<void> {
  return async (report) => {
    await queue.add('report-generate', report, {
      jobId: JOBS['report-generate'].jobId(report, new Date()),
      // Chromium crashes are retried inside generateReport; these cover a worker that died mid-job.
      attempts: 2,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: { age: 30 * 24 * 3600 },
      removeOnFail: { age: 90 * 24 * 3600 },
    });
  };
}

/** Prints one report (PDF + workbook). A report failed with its reason is not retried by the queue. */
export function reportGenerateProcessor(ctx: ReportsContext): Processor<'report-generate'> {
  return async (job) => {
    try {
      const r = await generateReport(ctx, job.data.reportId);
      return { status: r.status, version: r.version, pdfBytes: r.pdfBytes };
    } catch (err) {
      if (err instanceof ReportFailedError) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}

/** 06:00 on the 1st, Asia/Shanghai: last month's report for every organisation with accounts. */
export function reportsMonthlyProcessor(ctx: ReportsContext): Processor<'reports-monthly'> {
  return async () => requestMonthlyReports(ctx);
}
