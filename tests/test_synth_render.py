"""Camera projection and the software renderer put the figure where the truth says."""

from __future__ import annotations

import numpy as np
import pytest

from squatcheck.synth.body import BodySpec, Segments
from squatcheck.synth.camera import Camera, azimuth_for, facing_for
from squatcheck.synth.clip import CameraSpec
from squatcheck.synth.figure import build_figure
from squatcheck.synth.kinematics import PoseParams, forward_kinematics
from squatcheck.synth.render import Renderer, Scene
from squatcheck.synth.shapes import ellipsoid_hit, round_cone_hit
from squatcheck.synth.truth import landmarks_3d, visibility

QUIET = Scene(noise_sigma=0.0, blur_px=0.0)


def test_projection_of_known_points():
    cam = Camera.look_at(400, 300, 500.0, position=[5.0, 0.0, 1.0], target=[0.0, 0.0, 1.0])
    uv, z = cam.project(np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 0.0, 2.0]]))
    assert np.allclose(uv[0], [200, 150]) and z[0] == pytest.approx(5.0)
    # the subject faces the camera: its left (+y) appears on image-right, up is image-up
    assert uv[1] == pytest.approx([200 + 500 * 1 / 5, 150])
    assert uv[2] == pytest.approx([200, 150 - 500 * 1 / 5])
    # a ray through a pixel passes through the point projected there
    rays = cam.rays()
    col, row = 299, 49  # pixel centre (299.5, 49.5)
    p = cam.position + 5.0 / rays[row, col] @ cam.rotation[2] * rays[row, col]
    assert cam.project(p)[0] == pytest.approx([299.5, 49.5], abs=1e-3)


@pytest.mark.parametrize("view, facing, image_dx_sign",
                         [("side", "left", -1), ("side", "right", 1)])
def test_side_view_facing_direction(view, facing, image_dx_sign):
    body = BodySpec()
    cam = CameraSpec(view=view, facing=facing).build(body)
    uv, _ = cam.project(np.array([[0.0, 0.0, 1.0], [0.5, 0.0, 1.0]]))  # a step forward (+x)
    assert np.sign(uv[1, 0] - uv[0, 0]) == image_dx_sign
    assert facing_for(azimuth_for(view, facing)) == facing


def test_facing_labels():
    assert facing_for(0) == "camera" and facing_for(180) == "away"
    assert facing_for(40) == "left" and facing_for(-130) == "right"
    # a front view of a body turned from the camera still faces it, or away
    assert facing_for(15, "front") == "camera" and facing_for(-160, "front") == "away"


def test_a_turned_set_turns_only_its_front_views_and_changes_nothing_else():
    """``--turned``: people rarely stand square to the camera; the same plan with each
    front view's body turned 5-25 deg either way."""
    from squatcheck.synth.benchset import plan_set

    plain, turned = plan_set(40, 3), plan_set(40, 3, turned=True)
    fronts = 0
    for (name, a), (same, b) in zip(plain, turned, strict=True):
        assert name == same and a.motion == b.motion and a.body == b.body
        if a.camera.view != "front":
            assert b.camera == a.camera
            continue
        fronts += 1
        square = 180.0 if a.camera.facing == "away" else 0.0
        assert 5.0 <= abs(b.camera.azimuth - square) <= 25.0
        assert a.camera.azimuth == square
    assert fronts >= 10


def test_a_side_turned_plan_turns_only_its_side_views_and_they_stay_side_views():
    """``--side-turned``: a phone propped at home is rarely at a right angle to the body;
    each side view's body turned 5-25 deg either way, its truth still a side view facing
    the same way (the engine's side view reaches 60 deg from square-on)."""
    from squatcheck.synth.benchset import plan_set, turned_from_side_on
    from squatcheck.synth.camera import facing_for

    sides, ways = 0, set()
    for _, spec in plan_set(40, 3):
        turned = turned_from_side_on(spec, spec.seed)
        if spec.camera.view != "side":
            assert turned == spec
            continue
        sides += 1
        turn = turned.camera.azimuth - spec.camera.azimuth
        assert 5.0 <= abs(turn) <= 25.0 and abs(spec.camera.azimuth) == 90.0
        ways.add(np.sign(turn) * np.sign(spec.camera.azimuth))  # + = its back to the camera
        assert facing_for(turned.camera.azimuth) == spec.camera.facing
    assert sides >= 10 and ways == {-1.0, 1.0}


def test_a_dim_room_darkens_and_roughens_the_picture_and_changes_nothing_else():
    """``--dim``: an evening at home; the scene only, drawn from its own generator."""
    from squatcheck.synth.benchset import in_dim_light, plan_set

    for _, spec in plan_set(10, 3):
        dim = in_dim_light(spec, spec.seed)
        assert dim.motion == spec.motion and dim.body == spec.body and dim.camera == spec.camera
        assert 0.45 <= dim.scene.exposure <= 0.7 and dim.scene.noise_sigma >= 5.0
        assert dim.scene.wall == spec.scene.wall and dim.scene.edges_m == spec.scene.edges_m
    cam = Camera.around(azimuth_deg=0.0, distance_m=3.0, height_m=1.0, target_m=[0, 0, 1],
                        width=64, height=48, focal_px=60.0)
    bright = Renderer(cam, Scene(noise_sigma=0.0)).render([]).image.astype(float)
    dark = Renderer(cam, Scene(noise_sigma=0.0, exposure=0.5)).render([]).image.astype(float)
    assert np.allclose(dark, bright * 0.5, atol=1.0)


def test_barefoot_feet_are_skin_coloured_and_nothing_else_changes():
    """``--barefoot``: socks, shoes and soles take the skin's colour; the rest of the
    figure (and the foot's shape, which the truth measures to) is the same."""
    from dataclasses import replace

    from squatcheck.synth.benchset import barefoot, plan_set

    _, spec = plan_set(1, 3)[0]
    bare = barefoot(spec)
    assert bare.body.outfit.barefoot and replace(bare.body.outfit, barefoot=False) == \
        spec.body.outfit and bare.motion == spec.motion and bare.camera == spec.camera
    seg = Segments.of(BodySpec())
    sk = forward_kinematics(seg, PoseParams(stance="left", knee_flex_deg=40))
    shod = build_figure(sk, seg, spec.body.outfit)
    unshod = build_figure(sk, seg, bare.body.outfit)
    skin = np.array(spec.body.outfit.skin)
    for a, b in zip(shod, unshod, strict=True):
        on_feet = a.part.startswith("foot") or a.colour == spec.body.outfit.socks
        if on_feet:
            assert np.abs(np.array(b.colour) - skin).max() <= 0.15 * skin.max()
        else:
            assert a.colour == b.colour




def test_leggings_cover_the_legs_in_the_shorts_colour_and_nothing_else_changes():
    """``--leggings``: thighs below the shorts, knees and shins take the shorts' colour; the
    arms, head and feet keep theirs."""
    from dataclasses import replace

    from squatcheck.synth.benchset import in_leggings, plan_set

    _, spec = plan_set(1, 3)[0]
    dressed = in_leggings(spec)
    outfit = spec.body.outfit
    assert replace(dressed.body.outfit, leggings=False) == outfit
    assert dressed.motion == spec.motion and dressed.camera == spec.camera
    seg = Segments.of(BodySpec())
    sk = forward_kinematics(seg, PoseParams(stance="left", knee_flex_deg=40))
    bare_legs = build_figure(sk, seg, outfit)
    covered = build_figure(sk, seg, dressed.body.outfit)
    changed = [(a.part, b.colour) for a, b in zip(bare_legs, covered, strict=True)
               if a.colour != b.colour]
    assert changed and all(part.startswith(("thigh", "shank")) and colour == outfit.shorts
                           for part, colour in changed)
    assert sum(a.colour == outfit.skin and a.part.startswith(("thigh", "shank"))
               for a in covered) == 0

@pytest.mark.parametrize("option", ["held", "floor"])
def test_a_held_or_floor_phone_changes_only_the_cameras_height(option):
    """``--held``: a friend holding the phone at chest or eye height; ``--floor``: the phone
    propped on the floor, 5-20 cm up."""
    from dataclasses import replace

    from squatcheck.synth.benchset import held_high, on_the_floor, plan_set

    for _, spec in plan_set(10, 3):
        if option == "held":
            moved = held_high(spec, spec.seed)
            assert 0.8 <= moved.camera.height_m / spec.body.height_m <= 0.95
        else:
            moved = on_the_floor(spec, spec.seed)
            assert 0.05 <= moved.camera.height_m <= 0.2
        assert replace(moved.camera, height_m=spec.camera.height_m) == spec.camera
        assert moved.motion == spec.motion and moved.body == spec.body

def test_shapes_hit_where_geometry_says():
    o = np.array([0.0, 0.0, 0.0])
    d = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], np.float32)
    t, n = ellipsoid_hit(o, d, np.array([3.0, 0.0, 0.0]), np.eye(3), np.array([0.5, 1.0, 1.0]))
    assert t[0] == pytest.approx(2.5) and np.isinf(t[1]) and n[0] == pytest.approx([-1, 0, 0])
    # a capsule lying across the x axis at x = 2, radius 0.1
    t, n = round_cone_hit(o, d, np.array([2.0, -1.0, 0.0]), np.array([2.0, 1.0, 0.0]), 0.1, 0.1)
    assert t[0] == pytest.approx(1.9, abs=1e-6) and np.isinf(t[1])
    # a cone, thick end at a (r 0.3) thin at b (r 0.1): the hit depth follows the taper
    a, b = np.array([2.0, 0.0, -1.0]), np.array([2.0, 0.0, 1.0])
    dirs = np.array([[2.0, 0.0, z] for z in (-0.5, 0.0, 0.5)], np.float32)
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    t, _ = round_cone_hit(o, dirs, a, b, 0.3, 0.1)
    x_hit = t * dirs[:, 0]
    assert x_hit[0] < x_hit[1] < x_hit[2] < 2.0


@pytest.fixture(scope="module")
def rendered():
    body = BodySpec(height_m=1.7)
    seg = Segments.of(body)
    pose = PoseParams(stance="left", knee_flex_deg=60, tibia_deg=25, trunk_fwd_deg=30,
                      free_thigh_deg=50, free_knee_deg=60)
    sk = forward_kinematics(seg, pose)
    cam = CameraSpec(view="side", facing="left", width=240, height=320).build(body)
    buf = Renderer(cam, QUIET).render(build_figure(sk, seg, body.outfit))
    return sk, cam, buf


def test_figure_is_where_the_truth_says(rendered):
    sk, cam, buf = rendered
    lm = landmarks_3d(sk)
    uv, _ = cam.project(lm)
    body_px = buf.part >= 0
    ys, xs = np.nonzero(body_px)
    # silhouette spans head to feet, and every landmark projects onto (or next to) the figure
    assert ys.min() < uv[0, 1] and ys.max() > uv[31, 1] - 2
    for i, (u, v) in enumerate(uv):
        r, c = int(v), int(u)
        assert body_px[max(r - 2, 0):r + 3, max(c - 2, 0):c + 3].any(), i
    # the stance (near, left) knee shows the thigh or shank there, the image is not empty
    part = buf.parts[buf.part[int(uv[25, 1]), int(uv[25, 0])]]
    assert part in ("thigh_l", "shank_l")
    assert buf.image[body_px].mean(axis=0).tolist() != buf.image[~body_px].mean(axis=0).tolist()


def test_visibility_follows_occlusion(rendered):
    sk, cam, buf = rendered
    vis = visibility(landmarks_3d(sk), cam, buf)
    # camera at the subject's left: left joints seen, the far (right) hip and shoulder hidden
    assert vis[[23, 25, 27, 11]].all()
    assert not vis[24] and not vis[12]


def test_shading_varies_across_a_limb(rendered):
    _, _, buf = rendered
    gray = buf.image.mean(axis=2)
    thigh = buf.part == buf.parts.index("shank_l")
    assert gray[thigh].std() > 3  # Lambert shading, not a flat fill


@pytest.mark.parametrize("roll", [-4.0, 2.5])
def test_a_rolled_camera_and_the_door_frames_it_films(roll):
    """``roll_deg`` leans the room's verticals by that much, tops to image-right for +;
    the wall's door frames show it, and pose/camera_roll.py reads it back."""
    from squatcheck.pose.camera_roll import fit_camera_roll, vertical_segments

    cam = Camera.look_at(480, 640, 700.0, position=[3.5, 0.0, 0.9], target=[0.0, 0.0, 0.9],
                         roll_deg=roll)
    uv, _ = cam.project(np.array([[0.0, 0.0, 0.5], [0.0, 0.0, 1.5]]))
    up = uv[1] - uv[0]
    assert np.degrees(np.arctan2(up[0], -up[1])) == pytest.approx(roll)
    room = Renderer(cam, Scene(noise_sigma=0.0, blur_px=0.0, edges_m=(-1.2, -0.7, 0.8, 1.4)))
    image = room.bg_image.reshape(640, 480, 3).clip(0, 255).astype(np.uint8)
    plain = Renderer(cam, QUIET).bg_image.reshape(640, 480, 3).clip(0, 255).astype(np.uint8)
    assert len(vertical_segments(plain, None)) == 0
    got = fit_camera_roll(vertical_segments(image, None), (480, 640))
    assert got.roll_deg == pytest.approx(roll, abs=0.3)
