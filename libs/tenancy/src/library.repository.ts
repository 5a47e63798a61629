import { Injectable } from '@nestjs/common';
import { DatabaseService, NotFoundError } from '@readerdesk/platform';
import { Library } from './library.entity';

/** Libraries are the tenant root, so this repository is the one that is not scoped by library. */
@Injectable()
export class LibraryRepository {
  constructor(private readonly db: DatabaseService) {}

  findBySlug(slug: string): Promise<Library | null> {
    return this.db.manager.getRepository(Library).findOne({ where: { slug } });
  }

  findById(id: string): Promise<Library | null> {
    return this.db.manager.getRepository(Library).findOne({ where: { id } });
  }

  async getBySlug(slug: string): Promise<Library> {
    const found = await this.findBySlug(slug);
    if (!found) throw new NotFoundError('Library');
    return found;
  }

  async insert(library: Library): Promise<Library> {
    const repo = this.db.manager.getRepository(Library);
    const row = repo.create(library);
    await repo.insert(row);
    return row;
  }

  /** The library created first (the one a first administrator joins outside the demo). */
  async first(): Promise<Library | null> {
    const [found] = await this.db.manager.getRepository(Library).find({ order: { createdAt: 'ASC' }, take: 1 });
    return found ?? null;
  }

  async update(id: string, changes: Partial<Library>): Promise<void> {
    await this.db.manager.getRepository(Library).update({ id }, changes);
  }

  /** Every library's allowed origins (a short list per library, few libraries per desk). */
  async allowedOrigins(): Promise<Array<Pick<Library, 'id' | 'allowedOrigins'>>> {
    return this.db.manager.getRepository(Library).find({ select: { id: true, allowedOrigins: true } });
  }

  count(): Promise<number> {
    return this.db.manager.getRepository(Library).count();
  }
}
