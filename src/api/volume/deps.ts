/** What the Cinder routes need: the block storage use cases, passed in explicitly. */
import type { AttachmentService } from '../../core/volume/attachment-service.js';
import type { MessageService } from '../../core/volume/message-service.js';
import type { QosService } from '../../core/volume/qos-service.js';
import type { QuotaService } from '../../core/volume/quota-service.js';
import type { SnapshotService } from '../../core/volume/snapshot-service.js';
import type { VolumeTypeService } from '../../core/volume/type-service.js';
import type { VolumeActions } from '../../core/volume/volume-actions.js';
import type { VolumeService } from '../../core/volume/volume-service.js';
import type { TypeEncryptionService } from '../../core/volume/encryption-service.js';
import type { VolumeTransferService } from '../../core/volume/transfer-service.js';
import type { GroupService } from '../../core/volume/group-service.js';
import type { GroupTypeService } from '../../core/volume/group-type-service.js';
import type { BlockStorageInfo } from '../../core/volume/info-service.js';
import type { BackupService } from '../../core/volume/backup-service.js';

export interface VolumeApiDeps {
  volumes: VolumeService;
  actions: VolumeActions;
  attachments: AttachmentService;
  snapshots: SnapshotService;
  types: VolumeTypeService;
  qos: QosService;
  quotas: QuotaService;
  messages: MessageService;
  info: BlockStorageInfo;
  transfers: VolumeTransferService;
  encryption: TypeEncryptionService;
  groups: GroupService;
  groupTypes: GroupTypeService;
  backups: BackupService;
}
