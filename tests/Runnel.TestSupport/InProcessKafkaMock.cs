using System.Runtime.InteropServices;
using System.Text;

namespace Runnel.TestSupport;

/// <summary>
/// librdkafka's mock cluster created in the test process through librdkafka's C API (Debian's librdkafka.so.1), for
/// the fault tests that kcat cannot drive: a broker taken down and brought back (<see cref="SetBrokerDown"/>), and
/// errors queued for the next requests of a kind (<see cref="PushRequestErrors"/>: produce, offset commit, ...).
/// Clients in the same process (the engine under test) reach it at <see cref="BootstrapServers"/>.
/// </summary>
public sealed partial class InProcessKafkaMock : IDisposable
{
    private const string Library = "librdkafka.so.1";
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;

    /// <summary>Kafka API keys of the requests faults can be queued for.</summary>
    public enum ApiKey : short
    {
        /// <summary>Produce.</summary>
        Produce = 0,
        /// <summary>Fetch.</summary>
        Fetch = 1,
        /// <summary>OffsetCommit.</summary>
        OffsetCommit = 8,
        /// <summary>Heartbeat.</summary>
        Heartbeat = 12,
    }

    /// <summary>Kafka error codes used by the fault tests.</summary>
    public static class Errors
    {
        /// <summary>NOT_LEADER_OR_FOLLOWER (6): retriable.</summary>
        public const int NotLeaderForPartition = 6;
        /// <summary>REQUEST_TIMED_OUT (7): retriable.</summary>
        public const int RequestTimedOut = 7;
        /// <summary>NOT_ENOUGH_REPLICAS (19): retriable.</summary>
        public const int NotEnoughReplicas = 19;
        /// <summary>COORDINATOR_NOT_AVAILABLE (15).</summary>
        public const int CoordinatorNotAvailable = 15;
        /// <summary>REBALANCE_IN_PROGRESS (27).</summary>
        public const int RebalanceInProgress = 27;
    }

    [LibraryImport(Library)] private static partial IntPtr rd_kafka_conf_new();
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);
    [LibraryImport(Library)] private static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);
    [LibraryImport(Library)] private static partial void rd_kafka_destroy(IntPtr rk);
    [LibraryImport(Library)] private static partial IntPtr rd_kafka_handle_mock_cluster(IntPtr rk);
    [LibraryImport(Library)] private static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);
    [LibraryImport(Library)] private static partial int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);
    [LibraryImport(Library)] private static partial int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);
    [LibraryImport(Library)] private static partial void rd_kafka_mock_push_request_errors_array(IntPtr mcluster, short apiKey, nuint count, int[] errors);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_mock_topic_create(IntPtr mcluster, string topic, int partitions, int replicationFactor);

    /// <summary>Starts a cluster of <paramref name="brokers"/> brokers (ids 1..n) inside this process.</summary>
    public InProcessKafkaMock(int brokers = 3)
    {
        var error = new byte[512];
        var conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture), error, (nuint)error.Length) != 0)
            throw new InvalidOperationException("librdkafka refused test.mock.num.brokers: " + Text(error));
        _handle = rd_kafka_new(0 /* producer */, conf, error, (nuint)error.Length);
        if (_handle == IntPtr.Zero) throw new InvalidOperationException("librdkafka could not start the mock cluster: " + Text(error));
        _cluster = rd_kafka_handle_mock_cluster(_handle);
        BootstrapServers = Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(_cluster))!;
    }

    private static string Text(byte[] buffer) => Encoding.UTF8.GetString(buffer).TrimEnd('\0');

    /// <summary>The mock brokers, <c>127.0.0.1:PORT,...</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>Creates a topic with <paramref name="partitions"/> partitions replicated on every broker.</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 3)
    {
        var err = rd_kafka_mock_topic_create(_cluster, topic, partitions, replicationFactor);
        if (err != 0) throw new InvalidOperationException($"creating topic {topic} failed: error {err}");
    }

    /// <summary>Takes broker <paramref name="brokerId"/> down (its connections close and it accepts none) or brings it back.</summary>
    public void SetBrokerDown(int brokerId, bool down)
    {
        var err = down ? rd_kafka_mock_broker_set_down(_cluster, brokerId) : rd_kafka_mock_broker_set_up(_cluster, brokerId);
        if (err != 0) throw new InvalidOperationException($"broker {brokerId}: error {err}");
    }

    /// <summary>The next <paramref name="errors"/>.Length requests of kind <paramref name="api"/>, to any broker, fail
    /// with these error codes, one each.</summary>
    public void PushRequestErrors(ApiKey api, params int[] errors) =>
        rd_kafka_mock_push_request_errors_array(_cluster, (short)api, (nuint)errors.Length, errors);

    /// <inheritdoc />
    public void Dispose() => rd_kafka_destroy(_handle);
}
