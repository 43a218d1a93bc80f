using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace SkyServe.Controller.Persistence;

/// <summary>
/// The controller's tables. Each database engine has a subclass with its own migrations
/// (<see cref="SqliteControllerDb"/>, <see cref="PostgresControllerDb"/>); this holds what they share.
/// Names are snake_case so that operators can query the tables by hand.
/// </summary>
public abstract partial class ControllerDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<ServiceRecord> Services => Set<ServiceRecord>();
    public DbSet<ServiceVersionRecord> ServiceVersions => Set<ServiceVersionRecord>();
    public DbSet<ReplicaRecord> Replicas => Set<ReplicaRecord>();
    public DbSet<ServiceEventRecord> ServiceEvents => Set<ServiceEventRecord>();
    public DbSet<LocationStateRecord> LocationStates => Set<LocationStateRecord>();
    public DbSet<ControllerLeaseRecord> Leases => Set<ControllerLeaseRecord>();
    public DbSet<RequestCountRecord> RequestCounts => Set<RequestCountRecord>();
    public DbSet<BlobRecord> Blobs => Set<BlobRecord>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<ServiceRecord>(e =>
        {
            e.ToTable("services");
            e.HasIndex(s => s.Name).IsUnique();
            e.HasIndex(s => s.EndpointPort).IsUnique();
            e.Property(s => s.Status).HasConversion<string>();
            e.Property(s => s.RetiredCost).HasPrecision(14, 6);
            e.HasMany(s => s.Versions).WithOne().HasForeignKey(v => v.ServiceId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(s => s.Replicas).WithOne().HasForeignKey(r => r.ServiceId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<ServiceVersionRecord>(e =>
        {
            e.ToTable("service_versions");
            e.HasIndex(v => new { v.ServiceId, v.Version }).IsUnique();
            e.Property(v => v.Mode).HasConversion<string>();
        });
        model.Entity<ReplicaRecord>(e =>
        {
            e.ToTable("replicas");
            e.HasIndex(r => new { r.ServiceId, r.ReplicaId }).IsUnique();
            e.HasIndex(r => r.LaunchToken).IsUnique();
            e.Property(r => r.Status).HasConversion<string>();
            e.Property(r => r.HourlyPrice).HasPrecision(12, 6);
            e.Property(r => r.CostToDate).HasPrecision(14, 6);
            e.HasIndex(r => r.InstanceId);
            e.Property(r => r.WorkerNodes).HasConversion(ReplicaNodesColumn.Converter, ReplicaNodesColumn.Comparer);
        });
        model.Entity<ServiceEventRecord>(e =>
        {
            e.ToTable("service_events");
            e.HasIndex(v => new { v.ServiceId, v.Id });
            e.HasOne<ServiceRecord>().WithMany().HasForeignKey(v => v.ServiceId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<LocationStateRecord>(e =>
        {
            e.ToTable("location_states");
            e.HasIndex(l => new { l.ServiceId, l.Cloud, l.Region, l.Zone }).IsUnique();
            e.HasOne<ServiceRecord>().WithMany().HasForeignKey(l => l.ServiceId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<ControllerLeaseRecord>(e =>
        {
            e.ToTable("controller_leases");
            e.HasKey(l => l.Name);
        });
        model.Entity<RequestCountRecord>(e =>
        {
            e.ToTable("request_counts");
            e.HasIndex(c => new { c.ServiceId, c.At });
            e.HasOne<ServiceRecord>().WithMany().HasForeignKey(c => c.ServiceId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<BlobRecord>(e =>
        {
            e.ToTable("blobs");
            e.HasKey(b => b.Digest);
        });

        foreach (var entity in model.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase.Convert(property.Name));
                if (property.Name == nameof(IConcurrencyStamped.ConcurrencyStamp))
                    property.IsConcurrencyToken = true;
                if (property.ClrType == typeof(DateTime))
                    property.SetValueConverter(UtcDateTime);
                else if (property.ClrType == typeof(DateTime?))
                    property.SetValueConverter(NullableUtcDateTime);
            }
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RestampConcurrencyTokens();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RestampConcurrencyTokens();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void RestampConcurrencyTokens()
    {
        foreach (var entry in ChangeTracker.Entries<IConcurrencyStamped>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
                entry.Entity.ConcurrencyStamp = Guid.NewGuid();
        }
    }

    // Times are UTC everywhere; SQLite hands them back unspecified, PostgreSQL's timestamptz insists on UTC.
    private static readonly ValueConverter<DateTime, DateTime> UtcDateTime = new(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private static readonly ValueConverter<DateTime?, DateTime?> NullableUtcDateTime = new(
        v => v.HasValue ? (v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime()) : v,
        v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
}
