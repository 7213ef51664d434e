export interface WorkerHeartbeatsTable {
  name: string;
  beat_at: Date;
  job_id: string;
  worker: string;
}
