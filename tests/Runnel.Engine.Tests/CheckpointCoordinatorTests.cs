using Runnel.Connectors.Abstractions;
using Runnel.Core.Data;
using Runnel.Execution.Runtime;

namespace Runnel.Engine.Tests;

/// <summary>The checkpoint coordinator: a checkpoint completes when every sink has acknowledged it, and then each
/// scan's source commits the position it recorded at that barrier — never one recorded later.</summary>
public sealed class CheckpointCoordinatorTests
{
    private sealed class RecordingSource : ICommittingSource
    {
        public List<object> Commits { get; } = [];
        public bool Quiesced { get; private set; }
        public object Advance(object? position, object batchPosition) => batchPosition;
        public bool IsStale(object batchPosition) => false;
        public void Commit(object position) => Commits.Add(position);
        public void Quiesce() => Quiesced = true;
        public IAsyncEnumerable<RowBatch> ReadAsync(CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<RowBatch>();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public void ACheckpoint_CompletesWhenEverySinkAcknowledged_AndCommitsThePositionOfItsBarrier()
    {
        var coordinator = new CheckpointCoordinator(TimeSpan.FromHours(1));
        var source = new RecordingSource();
        var scan = coordinator.RegisterScan(source);
        var a = coordinator.RegisterSink();
        var b = coordinator.RegisterSink();
        scan.Barrier(1, "offset 10");
        scan.Barrier(2, "offset 20");

        coordinator.Acknowledge(a, 2);
        Assert.Empty(source.Commits); // sink b has not written the rows before barrier 1 yet
        coordinator.Acknowledge(b, 1);
        Assert.Equal(["offset 10"], source.Commits);
        Assert.Equal(1, coordinator.Completed);
        coordinator.Acknowledge(b, 2);
        Assert.Equal(["offset 10", "offset 20"], source.Commits);
        coordinator.Acknowledge(a, 2); // nothing new
        Assert.Equal(2, source.Commits.Count);
    }

    [Fact]
    public async Task ARequestedCheckpoint_IsDueAtOnce_AndTheFinalOneQuiescesSources()
    {
        var coordinator = new CheckpointCoordinator(TimeSpan.FromHours(1));
        var source = new RecordingSource();
        var scan = coordinator.RegisterScan(source);
        var sink = coordinator.RegisterSink();
        Assert.Equal(0, coordinator.Due);

        var forced = coordinator.Forced;
        var request = coordinator.FinalAsync(TimeSpan.FromSeconds(30));
        Assert.True(source.Quiesced);
        Assert.True(forced.IsCompleted); // scans wake up and put the barrier in
        Assert.Equal(1, coordinator.Due);
        scan.Barrier(1, "offset 5");
        coordinator.Acknowledge(sink, 1);
        Assert.True(await request);
        Assert.Equal(["offset 5"], source.Commits);
    }

    [Fact]
    public async Task ARequest_TimesOut_WhenNoSinkAcknowledges()
    {
        var coordinator = new CheckpointCoordinator(TimeSpan.FromHours(1));
        coordinator.RegisterSink();
        Assert.False(await coordinator.RequestAsync(TimeSpan.FromMilliseconds(100)));
    }
}
