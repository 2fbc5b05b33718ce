using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Tests.Legs.WebRtc;

public sealed partial class DtlsPartsTests
{
    [Fact]
    public void Keying_material_splits_as_rfc_5764_lays_it_out()
    {
        byte[] material = Enumerable.Range(0, 60).Select(i => (byte)i).ToArray();

        DtlsSrtpKeys keys = DtlsSrtpKeys.FromKeyingMaterial(material);

        Assert.Equal(material[..16], keys.ClientKey);
        Assert.Equal(material[16..32], keys.ServerKey);
        Assert.Equal(material[32..46], keys.ClientSalt);
        Assert.Equal(material[46..], keys.ServerSalt);
        Assert.DoesNotContain("ClientKey", keys.ToString(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => DtlsSrtpKeys.FromKeyingMaterial(material.AsSpan(0, 59)));
    }

    [Fact]
    public void Server_send_and_client_receive_use_the_server_and_client_write_keys()
    {
        DtlsSrtpKeys keys = DtlsSrtpKeys.FromKeyingMaterial(Enumerable.Range(0, 60).Select(i => (byte)(i * 3)).ToArray());
        using SrtpContext serverSend = keys.ServerSend();
        using SrtpContext serverReceive = keys.ServerReceive();
        using SrtpContext clientReceive = keys.ClientReceive();
        byte[] packet = new byte[12 + 20 + SrtpContext.TagLength];
        packet[0] = 0x80;

        int length = serverSend.ProtectRtp(packet, 32);
        byte[] copy = packet.ToArray();

        Assert.Equal(SrtpStatus.AuthFailed, clientReceive.UnprotectRtp(copy, length, out _));
        Assert.Equal(SrtpStatus.Ok, serverReceive.UnprotectRtp(packet, length, out _));
    }

    [Fact]
    public void Self_signed_certificate_carries_an_sdp_sha256_fingerprint_of_its_der_and_a_validity_from_the_clock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 3, 2, 1, TimeSpan.Zero));

        DtlsCertificate certificate = DtlsCertificate.CreateSelfSigned(time);

        Assert.Matches(FingerprintPattern(), certificate.Sha256Fingerprint);
        Assert.Equal(time.GetUtcNow() + DtlsCertificate.Lifetime, certificate.NotAfter);
        Assert.NotEqual(certificate.Sha256Fingerprint, DtlsCertificate.CreateSelfSigned(time).Sha256Fingerprint);
    }

    [Fact]
    public void Fingerprint_is_the_colon_separated_upper_case_sha256()
    {
        byte[] der = [1, 2, 3];
        string hex = Convert.ToHexString(SHA256.HashData(der));

        string fingerprint = DtlsCertificate.Fingerprint(der);

        Assert.Equal(hex, fingerprint.Replace(":", string.Empty, StringComparison.Ordinal));
        Assert.StartsWith("03:90:58:C6:F2:C0:CB:49:2C:53:3B:0A:4D:14:EF:77", fingerprint, StringComparison.Ordinal);
        Assert.True(DtlsCertificate.FingerprintsMatch(fingerprint.ToLowerInvariant(), fingerprint));
        Assert.False(DtlsCertificate.FingerprintsMatch(fingerprint[..^1] + "0", fingerprint[..^1] + "1"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("16FEFD00000000000000000001", "runs past the end")]
    [InlineData("16FEFD000000000000000000", "fewer than a 13-byte")]
    [InlineData("18FEFD0000000000000000000000", "content type 24")]
    [InlineData("160303000000000000000000000000", "version 0x0303")]
    [InlineData("16FEFD00000000000000000000" + "16", "1 bytes left")]
    public void Record_check_names_what_is_wrong(string hex, string expected)
    {
        string? error = DtlsRecordCheck.Validate(Convert.FromHexString(hex));

        Assert.NotNull(error);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_check_accepts_several_whole_records_in_one_datagram()
    {
        byte[] datagram = Convert.FromHexString("14FEFD0000000000000000000101" + "16FEFF000000000000000100020000");

        Assert.Null(DtlsRecordCheck.Validate(datagram));
        Assert.NotNull(DtlsRecordCheck.Validate(new byte[DtlsDatagramQueue.ReceiveLimit + 1]));
    }

    [Fact]
    public void The_queue_drops_its_oldest_datagram_when_full_and_counts_it()
    {
        var queue = new DtlsDatagramQueue(_ => { });
        for (int i = 0; i <= DtlsDatagramQueue.Capacity; i++)
        {
            Assert.True(queue.Enqueue([(byte)i]));
        }

        byte[] buffer = new byte[4];
        Assert.Equal(1, queue.Receive(buffer, 0, 4, 1));
        Assert.Equal(1, buffer[0]);
        Assert.Equal(1, queue.Overflowed);
        queue.Close();
        Assert.False(queue.Enqueue([0]));
        Assert.Throws<IOException>(() => queue.Receive(buffer, 0, 4, 1));
    }

    [GeneratedRegex("^([0-9A-F]{2}:){31}[0-9A-F]{2}$")]
    private static partial Regex FingerprintPattern();
}
