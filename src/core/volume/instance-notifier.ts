/**
 * What block storage tells the compute service about volumes attached to its servers, as Cinder
 * sends Nova the `volume-extended` external event once an attached volume grew. The composition root
 * implements it over the compute module when one is mounted. Pure types.
 *
 * Contract: called after the transaction that settled the operation committed, never inside it;
 * must not throw (a failed delivery is the receiver's to log). Delivery is best effort, as Cinder's
 * REST call is: a crash between the commit and the call loses the event, not the extend.
 */

export interface VolumeExtendedNotice {
  volumeId: string;
  newSizeBytes: number;
  /** The instances of the volume's attached attachments. */
  serverIds: string[];
  /** Who asked for the extend (null on operations written before this was kept). */
  userId: string | null;
  projectId: string;
  /** The extend request's id, for the logs of both sides. */
  requestId: string;
}

export interface InstanceNotifier {
  volumeExtended(notice: VolumeExtendedNotice): Promise<void>;
}
