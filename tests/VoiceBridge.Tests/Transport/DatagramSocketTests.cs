using System.Net;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Transport;

/// <summary>A socket's datagram limit, on real loopback sockets and on the in-memory network alike: up to it delivered whole, over it dropped and counted.</summary>
public sealed class DatagramSocketTests
{
    public static TheoryData<string> Networks => ["udp", "in-memory"];

    [Theory]
    [MemberData(nameof(Networks))]
    public async Task A_datagram_over_the_limit_is_dropped_and_counted_and_the_next_is_delivered_whole(string kind)
    {
        IDatagramNetwork network = kind == "udp" ? UdpDatagramNetwork.Instance : new InMemoryDatagramNetwork();
        await using var receiver = network.Bind(new IPEndPoint(IPAddress.Loopback, 0), 100);
        await using var sender = network.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var received = new List<int>();
        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var receive = receiver.ReceiveAsync((d, _) =>
        {
            received.Add(d.Length);
            if (d.Length == 1)
            {
                last.TrySetResult();
            }
        }, stop.Token);

        sender.Send(new byte[100], receiver.LocalEndPoint);
        sender.Send(new byte[101], receiver.LocalEndPoint);
        sender.Send(new byte[5000], receiver.LocalEndPoint);
        sender.Send(new byte[1], receiver.LocalEndPoint);
        await last.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([100, 1], received);
        Assert.Equal(2, receiver.OversizeDatagrams);
        stop.Cancel();
        await receive;
    }

    [Fact]
    public void A_limit_outside_what_udp_carries_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => UdpDatagramNetwork.Instance.Bind(new IPEndPoint(IPAddress.Loopback, 0), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => UdpDatagramNetwork.Instance.Bind(new IPEndPoint(IPAddress.Loopback, 0), 70_000));
    }
}
